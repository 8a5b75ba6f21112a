import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { purgeTargetsOf } from '../../src/purge/purge-targets.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { startWebSubPublisher } from '../../src/websub/publisher.js';
import { makeRecord, makeSite, makeSnapshot } from '../helpers/builders.js';

/**
 * The Fastly and Cloudflare adapters against a local stand-in for each
 * provider's API (FASTLY_API_URL, CLOUDFLARE_API_URL point at it): what
 * arrives must be the documented request shape, in as few requests as the
 * documented per-request limits allow, retried when refused, and no log
 * line may hold a token.
 */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const FASTLY_TOKEN = 'fastly-secret-token-value';
const CLOUDFLARE_TOKEN = 'cloudflare-secret-token-value';

describe('purge adapters for hosted CDNs, against stand-in APIs', () => {
  let api: Server;
  let base = '';
  const received: Received[] = [];
  /** Answers to give, in order, before 200s: a refusal to test retries. */
  const refusals: number[] = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.statusCode = refusals.shift() ?? 200;
        res.setHeader('content-type', 'application/json');
        res.end('{"success":true}');
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));
  afterEach(() => {
    received.length = 0;
    refusals.length = 0;
  });

  const keys = (n: number) => Array.from({ length: n }, (_, i) => `tags/topic-${i}`);
  const config = () =>
    loadConfig({ FASTLY_SERVICE_ID: 'SU1Z0isxPaozGVKXdv0eY', FASTLY_API_TOKEN: FASTLY_TOKEN, FASTLY_API_URL: `${base}/fastly`, CLOUDFLARE_ZONE_ID: '023e105f4ecef8ad9ca31a8372d0c353', CLOUDFLARE_API_TOKEN: CLOUDFLARE_TOKEN, CLOUDFLARE_API_URL: `${base}/cf/client/v4` });
  const target = (name: string) => {
    const found = purgeTargetsOf(config().purge).find((t) => t.name === name);
    if (found === undefined) throw new Error(`no target ${name}`);
    return found;
  };

  it('Fastly: POST /service/{id}/purge with Fastly-Key and {"surrogate_keys": [...]}, at most 256 keys a request', async () => {
    expect(await target('purge fastly').purge(keys(600), [], 5000)).toBeUndefined();
    expect(received.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    for (const r of received) {
      expect(r.url).toBe('/fastly/service/SU1Z0isxPaozGVKXdv0eY/purge');
      expect(r.headers['fastly-key']).toBe(FASTLY_TOKEN);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.authorization).toBeUndefined();
    }
    const batches = received.map((r) => (JSON.parse(r.body) as { surrogate_keys: string[] }).surrogate_keys);
    expect(batches.map((b) => b.length)).toEqual([256, 256, 88]);
    expect(batches.flat()).toEqual(keys(600));
  });

  it('Cloudflare: POST /zones/{zone}/purge_cache with a Bearer token and {"tags": [...]}, at most 100 tags a request', async () => {
    expect(await target('purge cloudflare').purge(keys(250), [], 5000)).toBeUndefined();
    expect(received.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    for (const r of received) {
      expect(r.url).toBe('/cf/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache');
      expect(r.headers.authorization).toBe(`Bearer ${CLOUDFLARE_TOKEN}`);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const batches = received.map((r) => (JSON.parse(r.body) as { tags: string[] }).tags);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(keys(250));
  });

  it('a files-backend server sends each write\'s keys to both, retries a refusal as the WebSub pings do, and never logs a token', async () => {
    const store = createSnapshotStore(makeSnapshot([makeRecord({ id: 'a', tags: ['Korea'] })], makeSite()));
    const lines: string[] = [];
    refusals.push(503);
    const publisher = startWebSubPublisher({ store, purge: purgeTargetsOf(config().purge), retryDelayMs: 20, log: (line) => lines.push(line) });
    try {
      store.replace(makeSnapshot([makeRecord({ id: 'a', tags: ['Korea'] }), makeRecord({ id: 'b', tags: ['Korea'], headline: 'New' })], makeSite()));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await publisher.idle();
    } finally {
      publisher.stop();
    }
    const fastly = received.filter((r) => r.url.startsWith('/fastly'));
    const cloudflare = received.filter((r) => r.url.startsWith('/cf'));
    // One of the two was refused once (503) and sent again.
    expect(fastly.length + cloudflare.length).toBe(3);
    const lastFastly = JSON.parse(fastly.at(-1)!.body) as { surrogate_keys: string[] };
    expect(lastFastly.surrogate_keys).toEqual(expect.arrayContaining(['main', 'tags/korea']));
    expect((JSON.parse(cloudflare.at(-1)!.body) as { tags: string[] }).tags).toEqual(expect.arrayContaining(['main', 'tags/korea']));
    expect(lines.some((line) => line.includes('retrying'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(FASTLY_TOKEN);
      expect(line).not.toContain(CLOUDFLARE_TOKEN);
    }
  });
});

describe('purge settings', () => {
  it('a half-configured provider is an error naming the missing variable, and never shows a token', () => {
    expect(() => loadConfig({ FASTLY_SERVICE_ID: 'abc' })).toThrow('environment variable FASTLY_API_TOKEN must be set when FASTLY_SERVICE_ID is');
    expect(() => loadConfig({ FASTLY_API_TOKEN: 'secret-x' })).toThrow('environment variable FASTLY_SERVICE_ID must be set when FASTLY_API_TOKEN is');
    expect(() => loadConfig({ CLOUDFLARE_ZONE_ID: 'abc' })).toThrow('environment variable CLOUDFLARE_API_TOKEN must be set');
    expect(() => loadConfig({ CLOUDFLARE_API_TOKEN: 'tok xyzzy', CLOUDFLARE_ZONE_ID: 'z' })).toThrow(/^(?!.*xyzzy).*CLOUDFLARE_API_TOKEN must not contain white space/);
    expect(() => loadConfig({ FASTLY_SERVICE_ID: 'a/b', FASTLY_API_TOKEN: 't' })).toThrow('environment variable FASTLY_SERVICE_ID must be letters');
    expect(() => loadConfig({ FASTLY_SERVICE_ID: 'a', FASTLY_API_TOKEN: 't', FASTLY_API_URL: 'ftp://x' })).toThrow('environment variable FASTLY_API_URL must be an absolute http(s) URL');
  });

  it('VARNISH_URLS is a comma-separated list of http(s) base URLs, one target each', () => {
    const config = loadConfig({ VARNISH_URLS: 'http://10.0.0.5:6081/, http://10.0.0.6:6081' });
    expect(config.purge.varnishUrls).toEqual(['http://10.0.0.5:6081', 'http://10.0.0.6:6081']);
    expect(purgeTargetsOf(config.purge).map((t) => t.name)).toEqual(['purge varnish http://10.0.0.5:6081', 'purge varnish http://10.0.0.6:6081']);
    expect(() => loadConfig({ VARNISH_URLS: 'http://ok:6081,varnish' })).toThrow('environment variable VARNISH_URLS must be comma-separated absolute http(s) URLs');
    expect(loadConfig({}).purge).toEqual({ varnishUrls: [] });
  });

  it('the default API addresses are the providers\' own', () => {
    const { purge } = loadConfig({ FASTLY_SERVICE_ID: 'a', FASTLY_API_TOKEN: 't', CLOUDFLARE_ZONE_ID: 'z', CLOUDFLARE_API_TOKEN: 'u' });
    expect(purge.fastly?.apiUrl).toBe('https://api.fastly.com');
    expect(purge.cloudflare?.apiUrl).toBe('https://api.cloudflare.com/client/v4');
  });
});
