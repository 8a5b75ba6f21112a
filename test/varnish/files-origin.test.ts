import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord } from '../helpers/builders.js';
import { freePort } from '../helpers/throwaway-cluster.js';
import { SKIP_VARNISH_TESTS, startVarnish, type RunningVarnish } from '../helpers/varnish.js';
import { makeDataDir } from '../live/data-dir.js';
import { GZIP, put, sleep, startOrigin, until, type OriginProcess } from './origin-process.js';

/**
 * The shipped deploy/varnish/default.vcl in a real varnishd, in front of
 * one files-backend server (the built main.js) that purges it through
 * VARNISH_URLS: what a small newsroom runs. Feeds live 5 s
 * (FEED_MAX_AGE) so the test can watch them expire.
 */
const MAX_AGE = 5;
const SWR = 1;

describe.skipIf(SKIP_VARNISH_TESTS)('Varnish in front of one files-backend server', () => {
  let data: ReturnType<typeof makeDataDir>;
  let origin: OriginProcess;
  let varnish: RunningVarnish;
  const through = (path: string, headers: Record<string, string> = GZIP) => rawRequest(`${varnish.url}${path}`, headers);

  beforeAll(async () => {
    data = makeDataDir([
      makeRecord({ id: 'korea-1', headline: 'Korea one', tags: ['Korea'], published: '2024-05-01T00:00:00Z' }),
      makeRecord({ id: 'china-1', headline: 'China one', tags: ['China'], published: '2024-05-02T00:00:00Z' }),
    ]);
    const varnishPort = await freePort();
    origin = await startOrigin({ DATA_DIR: data.dir, VARNISH_URLS: `http://127.0.0.1:${varnishPort}`, FEED_MAX_AGE: String(MAX_AGE), FEED_STALE_WHILE_REVALIDATE: String(SWR), FEED_STALE_IF_ERROR: '86400' });
    varnish = await startVarnish([origin.port], { port: varnishPort });
  }, 120_000);

  afterAll(async () => {
    origin?.kill();
    await varnish?.stop();
    data?.remove();
  });

  it('answers a repeated feed request itself (a hit, with Age), with the origin\'s bytes and ETag, and a conditional GET gets a 304', async () => {
    const first = await through('/tags/korea/rss.xml');
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    await sleep(1100);
    const again = await through('/tags/korea/rss.xml');
    expect(again.headers['x-cache']).toBe('HIT');
    expect(Number(again.headers.age)).toBeGreaterThanOrEqual(1);
    const direct = await rawRequest(`${origin.url}/tags/korea/rss.xml`, GZIP);
    expect(again.headers['content-encoding']).toBe('gzip');
    expect(again.body.equals(direct.body)).toBe(true);
    expect(again.headers.etag).toBe(direct.headers.etag);
    expect(again.headers.vary).toBe('Accept-Encoding');
    const conditional = await through('/tags/korea/rss.xml', { ...GZIP, 'if-none-match': String(again.headers.etag) });
    expect(conditional.status).toBe(304);
    expect(conditional.headers['x-cache']).toBe('HIT');
  }, 30_000);

  it('keeps one gzip copy per URL: a client without gzip is served from it, never a second fetch', async () => {
    await through('/tags/china/atom.xml');
    const plain = await through('/tags/china/atom.xml', {});
    expect(plain.headers['x-cache']).toBe('HIT');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('China one');
    const brotli = await through('/tags/china/atom.xml', { 'accept-encoding': 'br, gzip, deflate' });
    expect(brotli.headers['x-cache']).toBe('HIT');
  }, 30_000);

  it('after a PUT the new headline is served through Varnish within 1 s, while a feed the write did not touch is still a hit', async () => {
    await through('/tags/korea/feed.json');
    await through('/tags/china/feed.json');
    expect((await put(origin.url, makeRecord({ id: 'korea-2', headline: 'Korea two', tags: ['Korea'], published: '2024-05-03T00:00:00Z' }))).status).toBe(201);
    const written = Date.now();
    const seen = await until('the new headline through Varnish', async () => ((await through('/tags/korea/feed.json', {})).body.toString().includes('Korea two') ? Date.now() - written : undefined), 5000);
    expect(seen).toBeLessThanOrEqual(1000);
    const untouched = await through('/tags/china/feed.json');
    expect(untouched.headers['x-cache']).toBe('HIT');
  }, 30_000);

  it('an embargo release appears through Varnish on time, without a write', async () => {
    const release = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
    expect((await put(origin.url, makeRecord({ id: 'held', headline: 'Held story', tags: ['Korea'], published: release.toISOString() }))).status).toBe(201);
    await sleep(200);
    const before = await through('/rss.xml');
    expect(before.status).toBe(200);
    expect((await through('/rss.xml', {})).body.toString()).not.toContain('Held story');
    await sleep(Math.max(0, release.getTime() - Date.now()));
    const late = await until('the release through Varnish', async () => ((await through('/rss.xml', {})).body.toString().includes('Held story') ? Date.now() - release.getTime() : undefined), 5000);
    expect(late).toBeLessThanOrEqual(1000);
  }, 30_000);

  it('never stores a request with Authorization, nor anything of the API', async () => {
    const withAuth = await through('/feed.json?limit=2', { ...GZIP, authorization: 'Bearer someone' });
    expect(withAuth.status).toBe(200);
    expect((await through('/feed.json?limit=2')).headers['x-cache']).toBe('MISS');
    for (let i = 0; i < 2; i++) {
      const api = await through('/api/articles/korea-1', { authorization: 'Bearer varnish-test-token-0123' });
      expect(api.status).toBe(200);
      expect(api.headers['x-cache']).toBe('PASS');
    }
    for (const path of ['/healthz', '/readyz']) expect((await through(path)).headers['x-cache']).toBe('PASS');
  }, 30_000);

  it('with the origin stopped, every feed Varnish holds is still served, 200 or 304', async () => {
    const paths = ['/rss.xml', '/tags/korea/rss.xml', '/tags/korea/feed.json', '/tags/china/atom.xml', '/tags/china/feed.json'];
    const held = new Map<string, string>();
    for (const path of paths) {
      const response = await through(path);
      expect(response.status, path).toBe(200);
      held.set(path, String(response.headers.etag));
    }
    origin.kill();
    // Past max-age and stale-while-revalidate: only stale-if-error keeps them.
    await sleep((MAX_AGE + SWR + 1) * 1000);
    for (const path of paths) {
      const stale = await through(path);
      expect(stale.status, path).toBe(200);
      expect(stale.headers['x-cache'], path).toContain('STALE');
      expect(stale.headers.etag, path).toBe(held.get(path));
      expect((await through(path, { ...GZIP, 'if-none-match': held.get(path) ?? '' })).status, path).toBe(304);
    }
    expect((await through('/tags/never-seen/rss.xml')).status).toBe(503);
  }, 60_000);
});
