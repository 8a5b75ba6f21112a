import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../src/load/json-depth.js';

const bytes = (text: string) => Buffer.from(text);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('allows nesting up to the limit and refuses one level more, in objects and arrays alike', () => {
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(exceedsJsonDepth(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(exceedsJsonDepth(bytes(`${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`))).toBe(true);
    expect(exceedsJsonDepth(Uint8Array.from(bytes(nested(3))), 2)).toBe(true);
  });

  it('counts neither brackets inside strings nor side-by-side ones as depth', () => {
    const inStrings = JSON.stringify({ body: `${'['.repeat(500)}{{{ "\\"[" `, list: Array.from({ length: 200 }, () => ({})) });
    expect(exceedsJsonDepth(bytes(inStrings))).toBe(false);
    expect(exceedsJsonDepth(bytes(`[${'[],'.repeat(1000)}[]]`))).toBe(false);
  });

  it('skips the range a caller knows to be one string', () => {
    const text = `{"a": "${'['.repeat(100)}", "b": 1}`;
    expect(exceedsJsonDepth(bytes(text), 4, text.indexOf('"['), text.indexOf('", "b"') + 1)).toBe(false);
  });
});
