import { describe, expect, it } from 'vitest';
import { excerpt } from '../../src/render/rss.js';

describe('excerpt (the RSS description of an article without a summary)', () => {
  it('is the plain text of the body', () => {
    expect(excerpt('<p>One &amp; two &lt;three&gt;</p><p>Four&#33; &#x263A;</p>')).toBe('One & two <three> Four! ☺');
  });

  it('is cut at a word with an ellipsis when long', () => {
    const out = excerpt(`<p>${'word '.repeat(200)}</p>`);
    expect(out.length).toBeLessThanOrEqual(281);
    expect(out.endsWith('word…')).toBe(true);
  });

  it('keeps scripts without spaces whole up to the limit', () => {
    expect(excerpt(`<p>${'한'.repeat(500)}</p>`)).toBe(`${'한'.repeat(280)}…`);
  });
});
