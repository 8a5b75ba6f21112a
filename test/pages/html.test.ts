import { describe, expect, it } from 'vitest';
import { html, safeUrl, trustedHtml } from '../../src/http/pages/html.js';
import { formatReaderDate, textDirection } from '../../src/http/pages/locale.js';

describe('html template', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const hostile = '<img src=x onerror=alert(1)> "quoted" & more';
    const out = html`<p title="${hostile}">${hostile}</p>`.markup;
    expect(out).toBe('<p title="&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more">&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; more</p>');
  });

  it('nests templates without escaping them twice, joins lists and drops empty values', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${undefined}${false}${null}${3}`.markup).toBe('<ul><li>a&amp;b</li><li>c</li></ul>3');
    expect(html`${trustedHtml('<br>')}`.markup).toBe('<br>');
  });
});

describe('safeUrl', () => {
  it('passes http(s) URLs and same-origin paths, refuses script and data URLs and protocol-relative paths', () => {
    expect(safeUrl('https://news.example.org/a?b=1&c=2')).toBe('https://news.example.org/a?b=1&c=2');
    expect(safeUrl('/sections/korea/')).toBe('/sections/korea/');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,<script>alert(1)</script>')).toBeUndefined();
    expect(safeUrl('//evil.example/')).toBeUndefined();
    expect(safeUrl(undefined)).toBeUndefined();
  });
});

describe('textDirection', () => {
  it.each(['ug', 'ar', 'fa', 'ur', 'he', 'ps', 'sd', 'ckb', 'dv', 'yi', 'ar-EG', 'az-Arab'])('%s is right to left', (tag) => {
    expect(textDirection(tag)).toBe('rtl');
  });
  it.each(['en', 'ko', 'zh-Hans', 'bo', 'my', 'ug-Latn', 'uz-Cyrl'])('%s is left to right', (tag) => {
    expect(textDirection(tag)).toBe('ltr');
  });
});

describe('formatReaderDate', () => {
  const instant = new Date('2019-10-28T20:00:00Z');
  it('writes the date in the article language and zone, with the matching ISO instant', () => {
    const seoul = formatReaderDate(instant, 'en', 'Asia/Seoul');
    expect(seoul.iso).toBe('2019-10-29T05:00:00.000+09:00');
    expect(seoul.text).toContain('October 29, 2019');
    expect(seoul.text).toContain('GMT+9');
    const korean = formatReaderDate(instant, 'ko', 'Asia/Seoul');
    expect(korean.text).toContain('2019년 10월 29일');
  });
  it('falls back to UTC without a zone and to English for a tag Intl rejects', () => {
    expect(formatReaderDate(instant, 'en', undefined).text).toContain('UTC');
    expect(formatReaderDate(instant, 'not a tag!', undefined).text).toContain('October 28, 2019');
  });
  it('writes only the date in the short style', () => {
    expect(formatReaderDate(instant, 'en', 'Asia/Seoul', 'date').text).toBe('Oct 29, 2019');
  });
});
