import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { backendServers, rawRequest, records, type BackendServer, type RawResponse } from './feed-client.js';

const NEWEST_CHANGE = 'Wed, 01 May 2024 00:00:00 GMT';

describe.each(BACKENDS)('conditional GET on the $name backend', (backend) => {
  const start = backendServers(useBackend(backend));
  describe.each(FEED_FORMATS)('%s', (format) => {
    let server: BackendServer;
    let path: string;
    const get = (headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> => rawRequest(`${server.url}${path}`, headers, method);

    beforeEach(async () => {
      server = await start(records(5));
      path = `/${FORMATS[format].fileName}`;
    });

    it('answers 200 with a strong ETag, Last-Modified of the newest item, caching headers and an exact Content-Length', async () => {
      const res = await get();
      expect(res.status).toBe(200);
      expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
      expect(res.headers['last-modified']).toBe(NEWEST_CHANGE);
      expect(res.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=60, stale-if-error=86400');
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.headers['content-type']).toBe(FORMATS[format].mediaType);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(res.body.toString('utf8')).toContain('Story 0');
    });

    it('serves the same bytes and ETag to a second request', async () => {
      const first = await get();
      const second = await get();
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.body.equals(first.body)).toBe(true);
    });

    it('answers 304 without a body when If-None-Match holds the ETag', async () => {
      const { headers } = await get();
      const res = await get({ 'if-none-match': String(headers.etag) });
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
      expect(res.headers.etag).toBe(headers.etag);
      expect(res.headers['last-modified']).toBe(NEWEST_CHANGE);
      expect(res.headers['cache-control']).toBe(headers['cache-control']);
      expect(res.headers.vary).toBe('Accept-Encoding');
    });

    it('answers 200 when If-None-Match holds another ETag', async () => {
      const res = await get({ 'if-none-match': '"not-this-one"' });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
    });

    it('matches an ETag anywhere in a list, and only there', async () => {
      const { headers } = await get();
      expect((await get({ 'if-none-match': `"a", ${String(headers.etag)}, "b"` })).status).toBe(304);
      expect((await get({ 'if-none-match': '"a", "b,c", W/"d"' })).status).toBe(200);
    });

    it('answers 304 to If-None-Match: *', async () => {
      expect((await get({ 'if-none-match': '*' })).status).toBe(304);
    });

    it('compares weakly: W/ on the client tag still matches', async () => {
      const { headers } = await get();
      expect((await get({ 'if-none-match': `W/${String(headers.etag)}` })).status).toBe(304);
    });

    it('evaluates If-Modified-Since: at or after Last-Modified 304, before 200, garbage ignored', async () => {
      expect((await get({ 'if-modified-since': NEWEST_CHANGE })).status).toBe(304);
      expect((await get({ 'if-modified-since': 'Thu, 02 May 2024 00:00:00 GMT' })).status).toBe(304);
      expect((await get({ 'if-modified-since': 'Tue, 30 Apr 2024 23:59:59 GMT' })).status).toBe(200);
      expect((await get({ 'if-modified-since': 'yesterday' })).status).toBe(200);
      expect((await get({ 'if-modified-since': '2030-01-01' })).status).toBe(200);
      // The two obsolete HTTP-date forms are still dates.
      expect((await get({ 'if-modified-since': 'Wednesday, 01-May-24 00:00:00 GMT' })).status).toBe(304);
      expect((await get({ 'if-modified-since': 'Wed May  1 00:00:00 2024' })).status).toBe(304);
    });

    it('lets If-None-Match take precedence over If-Modified-Since', async () => {
      const { headers } = await get();
      // A stale tag with a current date: the tag decides, 200.
      expect((await get({ 'if-none-match': '"old"', 'if-modified-since': 'Thu, 02 May 2024 00:00:00 GMT' })).status).toBe(200);
      // The current tag with an old date: the tag decides, 304.
      expect((await get({ 'if-none-match': String(headers.etag), 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).status).toBe(304);
    });

    it('answers HEAD with the GET headers and no body', async () => {
      const full = await get();
      const head = await get({}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-length']).toBe(String(full.body.length));
      expect(head.headers.etag).toBe(full.headers.etag);
      const headBr = await get({ 'accept-encoding': 'br' }, 'HEAD');
      const fullBr = await get({ 'accept-encoding': 'br' });
      expect(headBr.headers['content-length']).toBe(String(fullBr.body.length));
      expect((await get({ 'if-none-match': String(full.headers.etag) }, 'HEAD')).status).toBe(304);
    });

    it('negotiates br over gzip at equal q, and each coding decompresses to the identity bytes', async () => {
      const identity = await get();
      const br = await get({ 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
      expect(Number(br.headers['content-length'])).toBe(br.body.length);
      expect(br.body.length).toBeLessThan(identity.body.length);
      const gzip = await get({ 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.body).equals(identity.body)).toBe(true);
      // One ETag per representation.
      expect(new Set([identity.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
      // A representation's ETag validates only that representation.
      expect((await get({ 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) })).status).toBe(304);
      expect((await get({ 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) })).status).toBe(200);
    });

    it('honours q-values and refusals', async () => {
      const coding = async (acceptEncoding: string) => (await get({ 'accept-encoding': acceptEncoding })).headers['content-encoding'] ?? 'identity';
      expect(await coding('br;q=0.5, gzip')).toBe('gzip');
      // identity is acceptable at q=1 unless refused, so it beats a gzip the client only tolerates.
      expect(await coding('br;q=0, gzip;q=0.1')).toBe('identity');
      expect(await coding('br;q=0, gzip;q=0.1, identity;q=0')).toBe('gzip');
      expect(await coding('br;q=0, gzip;q=0')).toBe('identity');
      expect(await coding('*')).toBe('br');
      expect(await coding('*;q=0.5, gzip;q=0.8')).toBe('gzip');
      expect(await coding('identity;q=0, gzip')).toBe('gzip');
      expect(await coding('')).toBe('identity');
      expect(await coding('deflate')).toBe('identity');
      expect(await coding('GZIP;Q=1')).toBe('gzip');
    });

    it('answers 406 only when no coding it has is acceptable', async () => {
      const refused = await get({ 'accept-encoding': 'identity;q=0' });
      expect(refused.status).toBe(406);
      expect(refused.body.toString()).toMatch(/Accept-Encoding/);
      expect((await get({ 'accept-encoding': '*;q=0' })).status).toBe(406);
      expect((await get({ 'accept-encoding': 'deflate, identity;q=0' })).status).toBe(406);
    });

    it('gives a new ETag when an item changes and keeps it when reloaded data is equal', async () => {
      const before = await get();
      await server.replace(records(5));
      const reloaded = await get({ 'if-none-match': String(before.headers.etag) });
      expect(reloaded.status).toBe(304);
      await server.replace(records(5, (i) => (i === 3 ? { headline: 'Story 3, corrected', updated: '2024-05-02T00:00:00Z' } : {})));
      const changed = await get({ 'if-none-match': String(before.headers.etag) });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(before.headers.etag);
      expect(changed.headers['last-modified']).toBe('Thu, 02 May 2024 00:00:00 GMT');
      expect(changed.body.toString()).toContain('Story 3, corrected');
    });
  });
});
