import { describe, expect, it } from 'vitest';
import { negotiateEncoding, NegotiationCache } from '../../src/http/compress.js';

/** The per-app Accept-Encoding memo: the same answers as parsing every time, bounded, and one per app. */
describe('NegotiationCache', () => {
  const headers = [undefined, '', 'gzip', 'br;q=0.5, gzip', 'gzip, deflate, br, zstd', 'identity;q=0', '*;q=0', 'x-gzip', 'br;q=abc, gzip;q=0.2'];

  it('answers as negotiateEncoding does, the first time and from memory', () => {
    const cache = new NegotiationCache();
    for (const round of [1, 2]) for (const header of headers) expect(cache.encodingFor(header), `${header} (round ${round})`).toBe(negotiateEncoding(header));
    expect(cache.encodingFor('identity;q=0')).toBeUndefined();
    expect(cache.encodingFor('br;q=0.5, gzip')).toBe('gzip');
  });

  it('holds at most its bound of distinct headers, however many clients send', () => {
    const cache = new NegotiationCache(16);
    for (let i = 0; i < 1000; i++) {
      expect(cache.encodingFor(`gzip;q=0.${i % 10}, identity;q=0, x-${i}`)).toBe(i % 10 === 0 ? undefined : 'gzip');
      expect(cache.size).toBeLessThanOrEqual(16);
    }
  });

  it('two instances remember apart: what one has seen the other has not', () => {
    const one = new NegotiationCache();
    const two = new NegotiationCache();
    for (const header of headers) one.encodingFor(header);
    expect(one.size).toBe(headers.length - 1);
    expect(two.size).toBe(0);
    two.encodingFor('gzip');
    expect(one.size).toBe(headers.length - 1);
    expect(two.size).toBe(1);
  });
});
