import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { metricsHandler } from '../../src/http/metrics-route.js';
import { classifyRequest } from '../../src/http/observe-requests.js';
import { createLogger } from '../../src/observe/logger.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { listen } from '../helpers/server.js';

/**
 * What an operator sees of a running server: one JSON access-log line per
 * request (with the request id the client sent, echoed back), and /metrics
 * that a Prometheus scraper accepts, counting what was served.
 */
const NOW = new Date('2024-06-01T00:00:00Z');

interface Seen {
  readonly url: string;
  readonly lines: Record<string, unknown>[];
  readonly raw: () => string;
  readonly metrics?: Metrics;
  close(): Promise<void>;
}

const open: Seen[] = [];
afterEach(async () => {
  for (const seen of open.splice(0)) await seen.close();
});

async function serveObserved(options: { metrics?: boolean; serveMetrics?: boolean; slowReadsMs?: number } = {}): Promise<Seen> {
  let raw = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void ((raw += chunk.toString()), done()) });
  const logger = createLogger({ level: 'info', pretty: false, destination: sink });
  const metrics = options.metrics === false ? undefined : createMetrics();
  const files = createSnapshotStore(makeSnapshot([makeRecord({ id: 'one', published: '2024-05-01T00:00:00Z' }), makeRecord({ id: 'two', published: '2024-07-01T00:00:00Z' })]));
  // A store as slow as a database, so that concurrent requests join one render.
  const delay = options.slowReadsMs;
  const store: typeof files = delay === undefined ? files : Object.assign(Object.create(files) as typeof files, { feedPage: async (...args: Parameters<typeof files.feedPage>) => (await new Promise((resolve) => setTimeout(resolve, delay)), files.feedPage(...args)) });
  const app = createApp({ store, clock: () => NOW, production: true, log: () => {}, logger, ...(metrics ? { metrics } : {}), ...(options.serveMetrics === undefined ? {} : { serveMetrics: options.serveMetrics }) });
  const server = await listen(app);
  const seen: Seen = {
    url: server.url,
    get lines() {
      return raw.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => raw,
    ...(metrics ? { metrics } : {}),
    close: server.close,
  };
  open.push(seen);
  return seen;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The access-log line for a request, once the response has been logged. */
async function lineFor(seen: Seen, requestId: string): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 2000; waited += 10) {
    const line = seen.lines.find((l) => l.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no access-log line for ${requestId}`);
}

describe('access log', () => {
  it('writes one JSON line per request: id from X-Request-Id (echoed), method, path, status, bytes, duration, cache miss then hit', async () => {
    const seen = await serveObserved();
    const first = await get(`${seen.url}/rss.xml?limit=5`, { 'X-Request-Id': 'edge-7f3a' });
    expect(first.headers.get('x-request-id')).toBe('edge-7f3a');
    const line = await lineFor(seen, 'edge-7f3a');
    expect(line).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestId: 'edge-7f3a',
      method: 'GET',
      path: '/rss.xml',
      status: 200,
      bytes: Number(first.headers.get('content-length')),
      durationMs: expect.any(Number),
      cache: 'miss',
      msg: 'request',
    });
    // The repeat is answered by the fast path: still logged, as a hit, with its own id (never the first one's).
    const again = await get(`${seen.url}/rss.xml?limit=5`);
    const id = again.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineFor(seen, id)).toMatchObject({ path: '/rss.xml', status: 200, cache: 'hit' });
  });

  it('logs requests that waited on a render they joined as misses, not hits', async () => {
    const seen = await serveObserved({ slowReadsMs: 200 });
    const ids = Array.from({ length: 6 }, (_, i) => `joined-${i}`);
    await Promise.all(ids.map((id) => get(`${seen.url}/atom.xml?limit=2`, { 'X-Request-Id': id })));
    const statuses = await Promise.all(ids.map(async (id) => (await lineFor(seen, id)).cache));
    expect(statuses).toEqual(ids.map(() => 'miss'));
  });

  it('replaces a request id that is not an id, and logs a 404 without a cache status', async () => {
    const seen = await serveObserved();
    const response = await get(`${seen.url}/nothing-here`, { 'X-Request-Id': `x y ${'z'.repeat(200)}` });
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineFor(seen, id)).toMatchObject({ level: 'info', status: 404, cache: 'none', path: '/nothing-here' });
  });

  it('cannot be forged: newlines and escapes in a path stay inside one JSON string', async () => {
    const seen = await serveObserved();
    const forged = '/a%0A%7B%22level%22%3A%22fatal%22%7D%0D%1B[31m';
    await new Promise<void>((resolve, reject) => {
      const req = request(`${seen.url}${forged}`, { headers: { 'x-request-id': 'forge-1' } }, (res) => res.resume().on('end', resolve));
      req.on('error', reject).end();
    });
    const line = await lineFor(seen, 'forge-1');
    expect(line.path).toBe(forged);
    expect(seen.raw().split('\n').filter(Boolean).every((text) => !text.includes('"level":"fatal"'))).toBe(true);
  });
});

describe('/metrics', () => {
  it('is valid Prometheus text and counts requests by kind, format and status, cache hits and misses, renders', async () => {
    const seen = await serveObserved();
    await get(`${seen.url}/rss.xml`);
    await get(`${seen.url}/rss.xml`);
    await get(`${seen.url}/tags/test-tag/atom.xml`, { 'Accept-Encoding': 'gzip' });
    await get(`${seen.url}/tags/no-such-tag/atom.xml`);
    await get(`${seen.url}/`);
    const response = await get(`${seen.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const families = parsePrometheusText(response.body);
    expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'feed', format: 'rss', status: '200' })).toBe(2);
    expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'tag', format: 'atom', status: '200' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'tag', format: 'atom', status: '404' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'page', format: 'none', status: '200' })).toBe(1);
    // The unknown tag is a miss too: whether a feed exists is the store's answer, asked on a miss.
    expect(sampleValue(families, 'wirefeed_feed_cache_requests_total', { result: 'miss' })).toBe(3);
    expect(sampleValue(families, 'wirefeed_feed_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_render_seconds_count', { format: 'rss' })).toBe(1);
    // fetch asks for br and gzip: the two rendered feeds were each compressed once, whichever coding was chosen.
    const compressions = sampleValue(families, 'wirefeed_compression_seconds_count', { coding: 'gzip' }) + sampleValue(families, 'wirefeed_compression_seconds_count', { coding: 'br' });
    expect(compressions).toBe(2);
    // Two records, one still under embargo at NOW.
    expect(sampleValue(families, 'wirefeed_articles', { state: 'loaded' })).toBe(2);
    expect(sampleValue(families, 'wirefeed_articles', { state: 'visible' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_articles', { state: 'rejected' })).toBe(0);
    // The response cache holds the two feeds rendered (the unknown tag is not cached), with their compressed forms.
    expect(sampleValue(families, 'wirefeed_feed_cache_entries', {})).toBe(2);
    expect(sampleValue(families, 'wirefeed_feed_cache_bytes', {})).toBeGreaterThan(1000);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });

  it('keeps each app its own registry: two apps in one process never mix counts', async () => {
    const a = await serveObserved();
    const b = await serveObserved();
    await get(`${a.url}/feed.json`);
    const families = parsePrometheusText((await get(`${b.url}/metrics`)).body);
    expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'feed', format: 'json', status: '200' })).toBe(0);
  });

  it('is absent when metrics are off, and can be served apart (METRICS_PORT)', async () => {
    const off = await serveObserved({ metrics: false });
    expect((await get(`${off.url}/metrics`)).status).toBe(404);
    const apart = await serveObserved({ serveMetrics: false });
    expect((await get(`${apart.url}/metrics`)).status).toBe(404);
    const server: Server = createServer(metricsHandler(apart.metrics as Metrics));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await get(`${apart.url}/rss.xml`);
      const families = parsePrometheusText((await get(`${base}/metrics`)).body);
      expect(sampleValue(families, 'wirefeed_http_requests_total', { kind: 'feed', format: 'rss', status: '200' })).toBe(1);
      expect((await get(`${base}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a database pool and change lag through its hooks, in valid text', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.watchPool({ totalCount: 10, idleCount: 7, waitingCount: 2 });
    metrics.observeChangeLag(0.2);
    metrics.observeReload(1.5);
    metrics.countWebSubPing('failed');
    const families = parsePrometheusText((await metrics.render()).body);
    expect(sampleValue(families, 'wirefeed_db_pool_connections', { state: 'idle' })).toBe(7);
    expect(sampleValue(families, 'wirefeed_db_pool_connections', { state: 'waiting' })).toBe(2);
    expect(sampleValue(families, 'wirefeed_change_propagation_seconds_count')).toBe(1);
    expect(sampleValue(families, 'wirefeed_reload_seconds_bucket', { le: '2.5' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_reload_seconds_bucket', { le: '1' })).toBe(0);
    expect(sampleValue(families, 'wirefeed_websub_pings_total', { outcome: 'failed' })).toBe(1);
    expect(sampleValue(families, 'wirefeed_websub_pings_total', { outcome: 'abandoned' })).toBe(0);
  });
});

describe('classifyRequest', () => {
  it.each([
    ['/rss.xml', 'feed', 'rss'],
    ['/feed.json?limit=3', 'feed', 'json'],
    ['/sections/korea/atom.xml', 'section', 'atom'],
    ['/authors/min-seo-park/rss.xml', 'author', 'rss'],
    ['/tags/x/', 'page', 'none'],
    ['/', 'page', 'none'],
    ['/embed.js', 'widget', 'none'],
    ['/assets/site.css', 'asset', 'none'],
    ['/api/articles', 'api', 'none'],
    ['/metrics', 'metrics', 'none'],
    ['/wp-login.php', 'other', 'none'],
    ['/x/y/z/rss.xml', 'other', 'none'],
  ])('%s → %s, %s', (url, kind, format) => {
    expect(classifyRequest(url)).toEqual({ kind, format });
  });
});
