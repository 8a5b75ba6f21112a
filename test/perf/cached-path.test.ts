import { ServerResponse, request } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus.js';
import { listen } from '../helpers/server.js';

/**
 * The cached feed path with the access log and metrics on (issue 30): a
 * replayed answer is written in one writeHead from a prepared header array,
 * with no res.setHeader call (a header set before writeHead made node set
 * every header of every answer one by one, and the request id was set that
 * way), and still carries every header, its access line and its counts.
 */
const NOW = new Date('2024-06-01T00:00:00Z');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
});

function raw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; rawHeaders: string[]; length: number }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, length }));
    })
      .on('error', reject)
      .end();
  });
}

describe('a cached feed answered with the access log and metrics on', () => {
  it('calls res.setHeader not once for 200 or 304 replays, and sends the same headers, id, log lines and counts', async () => {
    let text = '';
    const logger = createLogger({ level: 'info', pretty: false, destination: new Writable({ write: (chunk: Buffer, _e, done) => void ((text += chunk.toString()), done()) }) });
    const metrics = createMetrics({ processMetrics: false });
    const store = createSnapshotStore(makeSnapshot([makeRecord({ id: 'one', published: '2024-05-01T00:00:00Z' }), makeRecord({ id: 'two', published: '2024-05-02T00:00:00Z' })]));
    const built = createApp({ store, clock: () => NOW, production: true, log: () => {}, logger, metrics });
    const server = await listen(built);
    closers.push(server.close);
    const gzip = { 'Accept-Encoding': 'gzip' };
    const first = await raw(`${server.url}/rss.xml`, { ...gzip, 'X-Request-Id': 'first' });
    expect(first.status).toBe(200);
    const etag = String(first.headers.etag);

    const setHeader = vi.spyOn(ServerResponse.prototype, 'setHeader');
    const replayed200 = await raw(`${server.url}/rss.xml`, { ...gzip, 'X-Request-Id': 'again' });
    const replayed304 = await raw(`${server.url}/rss.xml`, { ...gzip, 'X-Request-Id': 'cond', 'If-None-Match': etag });
    const anonymous = await raw(`${server.url}/rss.xml`, gzip);
    expect(setHeader).not.toHaveBeenCalled();
    expect(built.fastPath.hits).toBe(3);

    // The same headers as the answer Express wrote, the date aside; the id is the request's own.
    const without = (h: Record<string, unknown>) => ({ ...h, date: undefined, 'x-request-id': undefined });
    expect(without(replayed200.headers)).toEqual(without(first.headers));
    expect(replayed200.headers['x-request-id']).toBe('again');
    expect(replayed200.length).toBe(Number(first.headers['content-length']));
    expect(replayed304.status).toBe(304);
    expect(replayed304.headers['x-request-id']).toBe('cond');
    expect(replayed304.headers.etag).toBe(etag);
    expect(replayed304.headers['content-length']).toBeUndefined();
    expect(String(anonymous.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.requestId, l.status, l.bytes, l.cache])).toEqual([
      ['first', 200, Number(first.headers['content-length']), 'miss'],
      ['again', 200, Number(first.headers['content-length']), 'hit'],
      ['cond', 304, 0, 'hit'],
      [anonymous.headers['x-request-id'], 200, Number(first.headers['content-length']), 'hit'],
    ]);
    const scraped = parsePrometheusText((await metrics.render()).body);
    expect(sampleValue(scraped, 'wirefeed_http_requests_total', { kind: 'feed', format: 'rss', status: '200' })).toBe(3);
    expect(sampleValue(scraped, 'wirefeed_http_requests_total', { kind: 'feed', format: 'rss', status: '304' })).toBe(1);
    expect(sampleValue(scraped, 'wirefeed_feed_cache_requests_total', { result: 'hit' })).toBe(3);
    expect(sampleValue(scraped, 'wirefeed_feed_cache_requests_total', { result: 'miss' })).toBe(1);
    // A second scrape counts what came since, added to what was counted before.
    await raw(`${server.url}/rss.xml`, gzip);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = parsePrometheusText((await metrics.render()).body);
    expect(sampleValue(again, 'wirefeed_http_requests_total', { kind: 'feed', format: 'rss', status: '200' })).toBe(4);
  });
});
