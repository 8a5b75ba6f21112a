import { describe, expect, it } from 'vitest';
import { addHash, createSketch, decodeSketch, encodeSketch, estimateSketch, hashClient, mergeSketch } from '../../src/stats/sketch.js';

/** n distinct clients: IPv4 addresses 10.x.y.z with one of three reader agents. */
function clients(n: number, offset = 0): [string, string][] {
  const agents = ['NetNewsWire (RSS Reader; https://netnewswire.com/)', 'Reeder/5050001 CFNetwork/1408.0.4 Darwin/22.5.0', 'FreshRSS/1.21.0 (Linux; https://freshrss.org)'];
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    return [`10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, agents[k % 3] as string];
  });
}

function sketchOf(list: [string, string][], salt: number) {
  const sketch = createSketch();
  for (const [address, agent] of list) addHash(sketch, hashClient(salt, address, agent));
  return sketch;
}

describe('the distinct-client sketch (the error bound docs/readership.md states)', () => {
  it.each([
    [50, 0.01],
    [1_000, 0.02],
    [20_000, 0.05],
    [200_000, 0.05],
  ])('%i clients are counted within %f', (n, bound) => {
    for (const salt of [1, 0xdeadbeef, 123456789]) {
      const estimate = estimateSketch(sketchOf(clients(n), salt));
      expect(Math.abs(estimate - n) / n).toBeLessThanOrEqual(bound);
    }
  });

  it('a client seen many times counts once; two sketches merged count the union', () => {
    const a = sketchOf([...clients(300), ...clients(300), ...clients(300)], 7);
    expect(Math.abs(estimateSketch(a) - 300)).toBeLessThanOrEqual(3);
    const b = sketchOf(clients(300, 200), 7);
    mergeSketch(a, b);
    expect(Math.abs(estimateSketch(a) - 500) / 500).toBeLessThanOrEqual(0.02);
  });

  it('the same clients under another salt fill other registers: yesterday cannot be matched to today', () => {
    const today = sketchOf(clients(100), 1);
    const tomorrow = sketchOf(clients(100), 2);
    mergeSketch(today, tomorrow);
    expect(estimateSketch(today)).toBeGreaterThan(180);
  });

  it('round-trips through its text, sparse for few clients and whole for many', () => {
    const few = sketchOf(clients(77), 3);
    expect(encodeSketch(few)).toMatch(/^sparse:/);
    expect(encodeSketch(few).length).toBeLessThan(77 * 4 + 10);
    expect(decodeSketch(encodeSketch(few))).toEqual(few);
    const many = sketchOf(clients(5000), 3);
    expect(encodeSketch(many)).not.toMatch(/^sparse:/);
    expect(decodeSketch(encodeSketch(many))).toEqual(many);
    expect(decodeSketch('AAAA')).toBeUndefined();
    expect(decodeSketch('sparse:AAAAAA==')).toBeUndefined();
  });
});
