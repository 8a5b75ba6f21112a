import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress } from '../../src/http/compress.js';

/** A feed-like body of about `bytes`: repeated items with varying text in several scripts. */
function feedLike(bytes: number): Buffer {
  const items: string[] = [];
  // A running total, not items.join('').length per item: that made this quadratic (15 s of the unit project).
  for (let i = 0, length = 0; length < bytes; i++, length += items[items.length - 1]!.length) {
    items.push(`<item><title>Story ${i}: 어선 ${i} 척, ئۇيغۇر ${i}, 渔船 ${i} 🚢</title><link>https://news.example.org/${i}.html</link><description><![CDATA[<p>Paragraph ${i * 7919} about harbours &amp; fishing boats.</p>]]></description></item>\n`);
  }
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss><channel>${items.join('')}</channel></rss>`).subarray(0, bytes);
}

/** What three kinds of gzip reader make of the bytes: zlib at once, zlib streaming, and the WHATWG DecompressionStream browsers use. */
async function readBack(gz: Buffer): Promise<Buffer[]> {
  const streamed = await buffer(Readable.from([gz]).pipe(createGunzip()));
  const web = Buffer.from(await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  return [gunzipSync(gz), streamed, web];
}

describe('gzip of a feed body', () => {
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['just under the split', feedLike(128 * 1024 - 1)],
    ['at the split', feedLike(128 * 1024)],
    ['a 360 KB feed (made in halves)', feedLike(360 * 1024)],
    ['1 MB of random bytes (incompressible)', randomBytes(1024 * 1024)],
    ['a multi-byte character cut at the half', Buffer.concat([Buffer.alloc(200 * 1024 - 1, 'a'), Buffer.from('😀'), Buffer.alloc(200 * 1024, 'b')])],
  ];

  it.each(cases)('%s: every gzip reader gets the exact bytes back', async (_name, body) => {
    const gz = await compress(body, 'gzip');
    expect(gz.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 8]));
    for (const back of await readBack(gz)) expect(back.equals(body)).toBe(true);
  });

  it('is the same bytes every time (one ETag on every replica) and within 0.1 % of one-piece gzip', async () => {
    const body = feedLike(360 * 1024);
    const [a, b] = await Promise.all([compress(body, 'gzip'), compress(body, 'gzip')]);
    expect(a.equals(b)).toBe(true);
    const whole = gzipSync(body, { level: 6 }).length;
    expect(a.length).toBeLessThanOrEqual(whole * 1.001);
  });

  it('Brotli reads back too', async () => {
    const { brotliDecompressSync } = await import('node:zlib');
    const body = feedLike(200 * 1024);
    expect(brotliDecompressSync(await compress(body, 'br')).equals(body)).toBe(true);
  });
});
