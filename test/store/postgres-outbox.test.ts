import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Outbox, Store } from '../../src/store/store.js';
import { makeRecord, makeSite } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();
const bytes = (record: unknown) => Buffer.from(JSON.stringify(record));

describe.skipIf(!available)('the deliveries outbox (migration 3)', () => {
  const database = useScratchDatabase();
  let a: Store;
  let b: Store;
  let outboxA: Outbox;
  let outboxB: Outbox;

  beforeAll(async () => {
    const pool = createPool({ url: database.url() });
    await migrate(pool);
    await pool.end();
    a = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined });
    b = await createPostgresStore({ url: database.url(), site: makeSite(), dataDir: 'data', log: () => undefined });
    outboxA = a.outbox!;
    outboxB = b.outbox!;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('gives each change to one replica: concurrent claims never overlap, and a dead claimer\'s lease runs out', async () => {
    for (let i = 0; i < 6; i++) await a.put(`story-${i}`, bytes(makeRecord({ id: `story-${i}`, tags: [`Tag ${i}`] })));
    const [first, second] = await Promise.all([outboxA.claim(4, 60_000), outboxB.claim(4, 60_000)]);
    const ids = [...first, ...second].map((d) => d.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect([...first, ...second].find((d) => d.feeds.some((f) => f.path === '/tags/tag-3'))).toBeDefined();
    // Claimed and leased: nothing more to claim.
    expect(await outboxB.claim(10, 60_000)).toEqual([]);
    for (const delivery of first) await outboxA.complete(delivery.id);
    // B "dies" holding a short lease on its rows: after it runs out, A claims them, as a second attempt.
    for (const delivery of second) await outboxB.retry(delivery.id, ['websub'], 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await outboxA.claim(10, 60_000);
    expect(again.map((d) => d.id)).toEqual(second.map((d) => d.id).sort((x, y) => x - y));
    expect(again.every((d) => d.attempts === 2 && d.done.includes('websub'))).toBe(true);
    for (const delivery of again) await outboxA.complete(delivery.id);
  });

  it('records an embargo release once, whichever replicas ask', async () => {
    const release = new Date(Date.now() + 500);
    await a.put('held', bytes(makeRecord({ id: 'held', tags: ['Held'], published: release.toISOString() })));
    for (const delivery of await outboxA.claim(10, 60_000)) await outboxA.complete(delivery.id);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const now = new Date();
    const recorded = await Promise.all([outboxA.recordReleases(now), outboxB.recordReleases(now), outboxB.recordReleases(new Date(now.getTime() + 10))]);
    expect(recorded.filter(Boolean)).toHaveLength(1);
    const released = await outboxB.claim(10, 60_000);
    expect(released).toHaveLength(1);
    expect(released[0]?.feeds.map((f) => f.path)).toContain('/tags/held');
  });

  it('announces nothing for writing or editing a story under embargo, as the files backend does, and its feeds when it becomes visible', async () => {
    for (const delivery of await outboxA.claim(100, 60_000)) await outboxA.complete(delivery.id);
    const versionBefore = a.version();
    const later = new Date(Date.now() + 86_400_000).toISOString();
    await a.put('secret', bytes(makeRecord({ id: 'secret', tags: ['Secret'], published: later })));
    await a.put('secret', bytes(makeRecord({ id: 'secret', tags: ['Secret'], headline: 'Edited under embargo', published: later })));
    expect(await outboxB.claim(10, 60_000)).toEqual([]);
    // Caches still hear of both writes (the feeds' next release moved), on every replica.
    expect(a.version()).toBeGreaterThanOrEqual(versionBefore + 2);
    // Moved to the past, it is visible now: its feeds are announced.
    await a.put('secret', bytes(makeRecord({ id: 'secret', tags: ['Secret'], published: '2024-01-01T00:00:00Z' })));
    const shown = await outboxB.claim(10, 60_000);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.feeds.map((f) => f.path)).toContain('/tags/secret');
    await outboxB.complete(shown[0]!.id);
  });
});
