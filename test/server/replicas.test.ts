import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord } from '../helpers/builders.js';
import { canRunCluster, freePort, startThrowawayCluster, type ThrowawayCluster } from '../helpers/throwaway-cluster.js';
import { makeDataDir } from '../live/data-dir.js';
import { builtFile } from './build.js';

/**
 * Two built server processes (node dist main.js) on two ports, one
 * PostgreSQL cluster of their own, one local WebSub hub: what a fleet
 * behind a load balancer sees. The cluster is stopped and started again
 * to check the replicas ride out an outage.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN = 'fleet-token-for-replicas';

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

describe.skipIf(!canRunCluster())('two replicas on one database, as processes', () => {
  let cluster: ThrowawayCluster;
  let data: ReturnType<typeof makeDataDir>;
  const children: ChildProcess[] = [];
  const replicas: string[] = [];
  let hub: Server;
  const pings: string[] = [];

  const put = (replica: string, record: Record<string, unknown>) =>
    fetch(`${replica}/api/articles/${String(record.id)}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(record), signal: AbortSignal.timeout(15_000) });

  const startReplica = async (url: string, hubUrl: string): Promise<string> => {
    const port = await freePort();
    const child = spawn(process.execPath, [builtFile('src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: data.dir, DATABASE_URL: url, SITE_URL: 'https://feeds.example.org', INGEST_TOKEN: TOKEN, WEBSUB_HUB: hubUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const replica = `http://127.0.0.1:${port}`;
    await until('the replica to serve', async () => ((await rawRequest(`${replica}/healthz`)).status === 200 ? true : undefined), 20_000).catch((error: Error) => {
      throw new Error(`${error.message}; it wrote: ${output.slice(0, 2000)}`);
    });
    return replica;
  };

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    const pool = createPool({ url: cluster.url });
    await migrate(pool);
    await pool.end();
    data = makeDataDir();
    hub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        pings.push(new URLSearchParams(body).get('hub.url') ?? '');
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/publish`;
    replicas.push(await startReplica(cluster.url, hubUrl), await startReplica(cluster.url, hubUrl));
    expect((await put(replicas[0]!, makeRecord({ id: 'first', tags: ['Start'], published: '2024-05-01T00:00:00Z' }))).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    hub?.closeAllConnections();
    hub?.close();
    cluster?.remove();
    data?.remove();
  });

  it('a PUT through one replica is in the other one\'s feeds within 1 s, with equal bytes, ETag and Last-Modified', async () => {
    const [a, b] = replicas as [string, string];
    expect((await rawRequest(`${b}/tags/start/rss.xml`)).status).toBe(200);
    expect((await put(a, makeRecord({ id: 'second', tags: ['Start'], headline: 'Second story', published: '2024-05-02T00:00:00Z' }))).status).toBe(201);
    const written = Date.now();
    const seen = await until('the write on replica B', async () => ((await rawRequest(`${b}/tags/start/rss.xml`)).body.toString().includes('Second story') ? Date.now() - written : undefined), 5000);
    expect(seen).toBeLessThanOrEqual(1000);
    for (const path of ['/rss.xml', '/tags/start/atom.xml', '/feed.json?limit=1']) {
      const [onA, onB] = await Promise.all([rawRequest(`${a}${path}`), rawRequest(`${b}${path}`)]);
      expect(onB.body.equals(onA.body), path).toBe(true);
      expect(onB.headers.etag, path).toBe(onA.headers.etag);
      expect(onB.headers['last-modified'], path).toBe(onA.headers['last-modified']);
    }
  }, 30_000);

  it('an embargoed article is released on both replicas at its time, with one ping per topic to the hub', async () => {
    const [a, b] = replicas as [string, string];
    const release = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
    expect((await put(a, makeRecord({ id: 'embargoed', tags: ['Held'], headline: 'Held story', published: release.toISOString() }))).status).toBe(201);
    // The write's own pings (its feeds changed) go out first; count only what follows the release.
    await sleep(Math.max(0, release.getTime() - Date.now() - 300));
    const before = pings.length;
    for (const replica of [a, b]) expect((await rawRequest(`${replica}/rss.xml`)).body.toString()).not.toContain('Held story');
    for (const replica of [a, b]) await until(`the release on ${replica}`, async () => ((await rawRequest(`${replica}/tags/held/rss.xml`)).status === 200 ? true : undefined), 3000);
    await until('the release pings', async () => (pings.slice(before).includes('https://feeds.example.org/tags/held/atom.xml') ? true : undefined), 5000);
    await sleep(1500);
    const released = pings.slice(before);
    expect(released).toContain('https://feeds.example.org/rss.xml');
    expect(new Set(released).size, released.join('\n')).toBe(released.length);
  }, 30_000);

  it('while the database is stopped both replicas keep serving what they rendered, say so, answer 503 with Retry-After, and recover', async () => {
    const [a, b] = replicas as [string, string];
    const warm = await Promise.all(replicas.map((replica) => rawRequest(`${replica}/rss.xml`)));
    cluster.stop();
    try {
      for (const [i, replica] of replicas.entries()) {
        const cached = await rawRequest(`${replica}/rss.xml`);
        expect(cached.status).toBe(200);
        expect(cached.headers.etag).toBe(warm[i]!.headers.etag);
        const health = JSON.parse((await rawRequest(`${replica}/healthz`)).body.toString()) as { database: string };
        expect(health.database).toBe('down');
        const started = Date.now();
        const cold = await rawRequest(`${replica}/tags/start/feed.json?limit=3`);
        expect(cold.status).toBe(503);
        expect(Number(cold.headers['retry-after'])).toBeGreaterThan(0);
        expect(Date.now() - started).toBeLessThan(6000);
        const refused = await put(replica, makeRecord({ id: 'during-outage' }));
        expect(refused.status).toBe(503);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      await sleep(2000);
    } finally {
      cluster.start();
    }
    for (const replica of replicas) await until(`${replica} to see the database`, async () => ((JSON.parse((await rawRequest(`${replica}/healthz`)).body.toString()) as { database: string }).database === 'up' ? true : undefined), 15_000);
    expect((await put(b, makeRecord({ id: 'after-outage', headline: 'After the outage', published: '2024-05-03T00:00:00Z' }))).status).toBe(201);
    // A has to reconnect its listener (backoff) and catch up from the last change it saw.
    await until('the write after the outage on A', async () => ((await rawRequest(`${a}/rss.xml`)).body.toString().includes('After the outage') ? true : undefined), 40_000);
    const [onA, onB] = await Promise.all([rawRequest(`${a}/rss.xml`), rawRequest(`${b}/rss.xml`)]);
    expect(onA.headers.etag).toBe(onB.headers.etag);
  }, 90_000);
});
