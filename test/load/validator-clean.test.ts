import { describe, expect, it } from 'vitest';
import { makeArticle } from '../helpers/builders.js';

/**
 * What the W3C Feed Validation Service reported on generated records, fixed
 * at load: URLs with ASCII characters RFC 3986 forbids (an error), and
 * noncharacters and U+FFFD in text ("invalid codepoint", "bad characters").
 */
describe('values cleaned at load for strict validators', () => {
  it('percent-encodes the ASCII characters RFC 3986 forbids after the host, and keeps an IPv6 host', () => {
    expect(makeArticle({ url: 'https://news.example.org/a#]]>' }).url).toBe('https://news.example.org/a#%5D%5D%3E');
    expect(makeArticle({ url: 'https://news.example.org/a|b[c]{d}^e\\f?q=[1]' }).url).toBe('https://news.example.org/a%7Cb%5Bc%5D%7Bd%7D%5Ee/f?q=%5B1%5D');
    expect(makeArticle({ url: 'http://[::1]:8080/x[y]' }).url).toBe('http://[::1]:8080/x%5By%5D');
    expect(makeArticle({ url: 'https://news.example.org/plain/path.html?a=1&b=2#top' }).url).toBe('https://news.example.org/plain/path.html?a=1&b=2#top');
    const image = makeArticle({ images: [{ url: 'https://media.example.org/a[1].jpg' }] }).images[0];
    expect(image?.url).toBe('https://media.example.org/a%5B1%5D.jpg');
  });

  it('removes noncharacters (U+FDD0–U+FDEF, U+nFFFE/U+nFFFF) and U+FFFD from text, keeping everything else', () => {
    const article = makeArticle({ headline: 'A\uFDD0B\uFFFDC\u{1FFFE}D\u{10FFFF}E 😀 한국', summary: 'x\uFDEFy', body: '<p>b\uFFFD&#xFDD0;c</p>' });
    expect(article.headline).toBe('ABCDE 😀 한국');
    expect(article.summary).toBe('xy');
    expect(article.body).toBe('<p>bc</p>');
  });
});
