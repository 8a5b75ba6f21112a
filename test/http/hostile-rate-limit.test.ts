import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { GuardOptions } from '../../src/http/guards.js';
import { clientKey } from '../../src/http/rate-limit.js';
import { createServer } from '../../src/http/server.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';

/** Polling abuse: the optional per-client rate limit, its client key (IPv6 /64), and trusted proxies. */
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Fast-path answers of the last server started: the limit must hold for them too. */
let fastHits = () => 0;

async function start(guards: GuardOptions): Promise<number> {
  const app = createApp({ store: createSnapshotStore(makeSnapshot([makeRecord()])), clock: () => new Date('2026-01-01T00:00:00Z'), production: true, log: () => {}, guards });
  // Served as main.ts serves it: the fast path in front of Express, which applies the same limit first.
  const server = createServer(app.listener);
  fastHits = () => app.fastPath.hits;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: res.headers['retry-after'] }), body }));
      })
      .on('error', reject);
  });
}

async function statuses(port: number, n: number, headers: Record<string, string> = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get(port, '/rss.xml', headers)).status);
  return out;
}

describe('clientKey', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

describe('rate limit', () => {
  it('holds for repeat feed requests the fast path answers, counting each request once', async () => {
    const port = await start({ rateLimit: 5 });
    expect(await statuses(port, 7)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Requests 2 to 5 were replayed by the fast path: the cache works with the limit on.
    expect(fastHits()).toBe(4);
  });

  it('is off by default: many requests from one client all pass', async () => {
    const port = await start({});
    expect(new Set(await statuses(port, 30))).toEqual(new Set([200]));
  });

  it('answers 429 with Retry-After once a client spends its minute, and lets it back as tokens refill', async () => {
    let now = 1_000_000;
    const port = await start({ rateLimit: 3, now: () => now });
    expect(await statuses(port, 4)).toEqual([200, 200, 200, 429]);
    const refused = await get(port, '/atom.xml');
    expect(refused.status).toBe(429);
    // 3 per minute: one token every 20 s.
    expect(refused.retryAfter).toBe('20');
    expect(refused.body).toContain('the limit is 3 per minute');
    // /healthz is never limited (health checks).
    expect((await get(port, '/healthz')).status).toBe(200);
    now += 19_000;
    expect((await get(port, '/rss.xml')).retryAfter).toBe('1');
    now += 1_000;
    expect(await statuses(port, 2)).toEqual([200, 429]);
    now += 60_000;
    expect(await statuses(port, 4)).toEqual([200, 200, 200, 429]);
  });

  it('ignores X-Forwarded-For unless the proxy is trusted (a client cannot spoof its way out)', async () => {
    const port = await start({ rateLimit: 2, now: () => 0 });
    expect(await statuses(port, 3, { 'X-Forwarded-For': '198.51.100.1' })).toEqual([200, 200, 429]);
    expect(await statuses(port, 1, { 'X-Forwarded-For': '198.51.100.2' })).toEqual([429]);
  });

  it('behind a trusted proxy, counts each forwarded client apart; IPv6 clients by /64', async () => {
    const port = await start({ rateLimit: 2, trustProxy: ['loopback'], now: () => 0 });
    expect(await statuses(port, 3, { 'X-Forwarded-For': '198.51.100.1' })).toEqual([200, 200, 429]);
    expect(await statuses(port, 2, { 'X-Forwarded-For': '198.51.100.2' })).toEqual([200, 200]);
    // Two addresses in one /64 share a bucket; another /64 has its own.
    expect(await statuses(port, 2, { 'X-Forwarded-For': '2001:db8:aa:bb::1' })).toEqual([200, 200]);
    expect(await statuses(port, 1, { 'X-Forwarded-For': '2001:db8:aa:bb:ffff::9' })).toEqual([429]);
    expect(await statuses(port, 1, { 'X-Forwarded-For': '2001:db8:aa:bc::1' })).toEqual([200]);
    // A client's own X-Forwarded-For entries before the proxy's do not count: the proxy appends the real one.
    expect(await statuses(port, 1, { 'X-Forwarded-For': '203.0.113.50, 198.51.100.1' })).toEqual([429]);
  });

  it('remembers a bounded number of clients (least recently seen forgotten first)', async () => {
    const { createRateLimit } = await import('../../src/http/rate-limit.js');
    const limit = createRateLimit({ perMinute: 1, maxClients: 2, now: () => 0 });
    const hit = (ip: string): number => {
      let status = 200;
      limit.middleware({ ip } as never, {} as never, (error?: unknown) => {
        if (error !== undefined) status = (error as { status: number }).status;
      });
      return status;
    };
    expect([hit('192.0.2.1'), hit('192.0.2.1')]).toEqual([200, 429]);
    hit('192.0.2.2');
    hit('192.0.2.3');
    // 192.0.2.1 was forgotten to make room: memory stays at two clients.
    expect(hit('192.0.2.1')).toBe(200);
    expect(hit('192.0.2.3')).toBe(429);
  });
});
