import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { webhookTarget } from '../../src/purge/webhook.js';
import { startOutboxPublisher, type OutboxPublisher } from '../../src/websub/outbox-publisher.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';
import { FEED_FORMATS } from '../../src/render/render.js';

const available = await probePostgres();
const bytes = (record: unknown) => Buffer.from(JSON.stringify(record));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback endpoint recording every POST body; answers `statuses` in order, then 204, each after `delayMs` (and `beforeAnswer`). */
async function startEndpoint(delayMs = 0, beforeAnswer: (count: number) => Promise<void> = async () => undefined): Promise<{ url: string; bodies: string[]; statuses: number[]; close: () => Promise<void> }> {
  const endpoint = { url: '', bodies: [] as string[], statuses: [] as number[], close: async () => undefined as void };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      endpoint.bodies.push(body);
      res.statusCode = endpoint.statuses.shift() ?? 204;
      void beforeAnswer(endpoint.bodies.length).then(() => setTimeout(() => res.end(), delayMs));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  endpoint.close = () => new Promise((resolve) => (server.close(() => resolve()), server.closeAllConnections()));
  return endpoint;
}

const topics = (bodies: readonly string[]) => bodies.map((body) => new URLSearchParams(body).get('hub.url') ?? '');

async function until(condition: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe.skipIf(!available)('one WebSub ping and one purge per change for a fleet of replicas', () => {
  const database = useScratchDatabase();
  const stores: Store[] = [];
  const publishers: OutboxPublisher[] = [];
  let hub: Awaited<ReturnType<typeof startEndpoint>>;
  let purge: Awaited<ReturnType<typeof startEndpoint>>;

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    hub = await startEndpoint();
    purge = await startEndpoint();
    for (let i = 0; i < 3; i++) {
      const store = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined });
      stores.push(store);
      publishers.push(startOutboxPublisher({ store, outbox: store.outbox!, hub: hub.url, purge: [webhookTarget(purge.url)], log: () => undefined, retryDelayMs: 100, pollMs: 100 }));
    }
  });
  afterAll(async () => {
    for (const publisher of publishers) publisher.stop();
    for (const store of stores) await store.close();
    await hub?.close();
    await purge?.close();
  });

  it('three replicas send each topic of a write once, and the purge webhook its feed keys once', async () => {
    await stores[0]!.put('fleet-story', bytes(makeRecord({ id: 'fleet-story', tags: ['Fleet'], credits: [{ name: 'Ann Lee', role: 'reporter' }] })));
    await until(() => purge.bodies.length >= 1 && hub.bodies.length >= 5 * FEED_FORMATS.length);
    await sleep(800);
    const sent = topics(hub.bodies);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toContain('https://feeds.example.org/tags/fleet/rss.xml');
    // Five feeds (main, author, language, section, tag) in every reader format (WebSub topics).
    expect(sent.length).toBe(5 * FEED_FORMATS.length);
    expect(purge.bodies.map((body) => JSON.parse(body))).toEqual([{ keys: ['main', 'authors/ann-lee', 'languages/en', 'sections/korea', 'tags/fleet'], feeds: ['', '/authors/ann-lee', '/languages/en', '/sections/korea', '/tags/fleet'] }]);
  });

  it('an embargo release is pinged once for the fleet, at its time, without a write', async () => {
    const release = new Date(Date.now() + 1500);
    await sleep(500);
    const before = hub.bodies.length;
    await stores[1]!.put('embargoed', bytes(makeRecord({ id: 'embargoed', tags: ['Later'], published: release.toISOString() })));
    // The write changed nothing readers see: it is announced at its release, not before.
    await sleep(Math.max(0, release.getTime() - Date.now() - 200));
    expect(hub.bodies.length).toBe(before);
    await sleep(Math.max(0, release.getTime() - Date.now()) + 1200);
    const released = topics(hub.bodies.slice(before));
    expect(released).toContain('https://feeds.example.org/tags/later/atom.xml');
    expect(released).toContain('https://feeds.example.org/rss.xml');
    expect(new Set(released).size).toBe(released.length);
  });

  it('a hub that fails is retried with backoff until it accepts, each accepted topic sent once', async () => {
    hub.bodies.length = 0;
    purge.bodies.length = 0;
    hub.statuses.push(500, 503);
    await stores[2]!.put('retried', bytes(makeRecord({ id: 'retried', tags: ['Retry'] })));
    await until(() => purge.bodies.length >= 1 && new Set(topics(hub.bodies)).size >= 7 * FEED_FORMATS.length);
    await sleep(800);
    // The purge went out once even though the WebSub target was retried.
    expect(purge.bodies.length).toBe(1);
    // Seven feeds (main, three authors, language, section, tag) in every reader format; only the two refused requests were re-sent.
    const sent = topics(hub.bodies);
    expect(new Set(sent).size).toBe(7 * FEED_FORMATS.length);
    expect(sent.length).toBe(7 * FEED_FORMATS.length + 2);
  });
});

describe.skipIf(!available)('claims on outbox deliveries: short, renewed while sending', () => {
  const database = useScratchDatabase();
  const stores: Store[] = [];
  const publishers: OutboxPublisher[] = [];
  const endpoints: Awaited<ReturnType<typeof startEndpoint>>[] = [];

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    for (let i = 0; i < 2; i++) stores.push(await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined }));
  });
  afterAll(async () => {
    for (const publisher of publishers) publisher.stop();
    for (const store of stores) await store.close();
    for (const endpoint of endpoints) await endpoint.close();
  });

  it('a replica that dies holding a delivery hands it to another within the lease, and every topic still goes out once', async () => {
    const hub = await startEndpoint();
    endpoints.push(hub);
    await stores[0]!.put('orphaned', bytes(makeRecord({ id: 'orphaned', tags: ['Orphan'], credits: [{ name: 'Ann Lee', role: 'reporter' }] })));
    // Replica 0 claims the delivery and dies before sending anything (nothing ever completes or renews it).
    const claimed = await stores[0]!.outbox!.claim(4, 1000);
    expect(claimed).toHaveLength(1);
    const diedAt = Date.now();
    publishers.push(startOutboxPublisher({ store: stores[1]!, outbox: stores[1]!.outbox!, hub: hub.url, log: () => undefined, pollMs: 100, leaseMs: 1000 }));
    await until(() => new Set(topics(hub.bodies)).size >= 15);
    // Not before the dead replica's lease ran out, and well within a few seconds of it.
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(900);
    expect(Date.now() - diedAt).toBeLessThan(4000);
    await sleep(500);
    expect(topics(hub.bodies)).toHaveLength(15);
    publishers.pop()!.stop();
  });

  it('a replica sending to a slow hub for longer than the lease keeps its claim: no other replica sends the delivery again', async () => {
    // Fifteen topics at 150 ms each: about 2.3 s of sending, against a 600 ms lease renewed every 200 ms.
    const hub = await startEndpoint(150);
    endpoints.push(hub);
    for (const store of stores) publishers.push(startOutboxPublisher({ store, outbox: store.outbox!, hub: hub.url, log: () => undefined, pollMs: 50, leaseMs: 600 }));
    await stores[0]!.put('slow-hub', bytes(makeRecord({ id: 'slow-hub', tags: ['Slow'], credits: [{ name: 'Ann Lee', role: 'reporter' }] })));
    await until(() => new Set(topics(hub.bodies)).size >= 15);
    await sleep(1000);
    const sent = topics(hub.bodies);
    expect(sent).toHaveLength(15);
    expect(new Set(sent).size).toBe(15);
  });

  it('a sent delivery that cannot be recorded (the database does not answer) is held and recorded when it does, not sent again by another replica', async () => {
    // The last topic's ping takes an exclusive lock on the outbox for 1.5 s: recording the delivery (and
    // renewing its claim) times out after 300 ms, as in an outage, for less than the 3 s lease.
    for (const publisher of publishers.splice(0)) publisher.stop();
    const locker = new pg.Client({ connectionString: database.url() });
    await locker.connect();
    let locked = false;
    // The hub answers the fifteenth topic only once the lock is taken, so recording comes after it.
    const hub = await startEndpoint(0, async (count) => {
      if (count !== 15 || locked) return;
      locked = true;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE deliveries IN ACCESS EXCLUSIVE MODE');
      setTimeout(() => void locker.query('COMMIT'), 1500);
    });
    endpoints.push(hub);
    const slowStores = [];
    for (let i = 0; i < 2; i++) slowStores.push(await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined, statementTimeoutMs: 300 }));
    stores.push(...slowStores);
    const lines: string[] = [];
    await stores[0]!.put('unrecorded', bytes(makeRecord({ id: 'unrecorded', tags: ['Unrecorded'], credits: [{ name: 'Ann Lee', role: 'reporter' }] })));
    try {
      for (const store of slowStores) publishers.push(startOutboxPublisher({ store, outbox: store.outbox!, hub: hub.url, log: (line) => lines.push(line), pollMs: 50, leaseMs: 3000 }));
      await until(() => new Set(topics(hub.bodies)).size >= 15);
      await sleep(4500);
    } finally {
      await locker.end();
    }
    expect(locked).toBe(true);
    expect(topics(hub.bodies)).toHaveLength(15);
    expect(lines.some((line) => /was sent but recording it failed/.test(line))).toBe(true);
  }, 20_000);
});
