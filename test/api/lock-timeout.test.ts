import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashSecret } from '../../src/http/api-keys.js';
import { loadSite } from '../../src/load/load-data.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { makeDataDir, SITE_OVERRIDES } from '../live/data-dir.js';
import { makeRecord } from '../helpers/builders.js';
import { createScratchDatabase, probePostgres } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';

const available = await probePostgres();
const EDITOR = 'editor-secret-0123456789abcdef0123456789abcdef';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The PostgreSQL store behind the API, with `options` (libpq's "-c name=value")
 * on its connections, and a second session holding the change sequence's
 * row lock in an open transaction, as a long sync batch would: every write
 * bumps that row, so every PUT waits for the lock.
 */
async function setup(store: { urlOptions?: string; statementTimeoutMs?: number }) {
  const data = makeDataDir();
  const scratch = await createScratchDatabase();
  const pool = createPool({ url: scratch.url });
  await migrate(pool);
  await pool.end();
  const url = store.urlOptions === undefined ? scratch.url : `${scratch.url}?options=${encodeURIComponent(store.urlOptions)}`;
  const log: string[] = [];
  const opened = await createPostgresStore({ url, site: loadSite(data.dir, SITE_OVERRIDES), dataDir: data.dir, log: (line) => log.push(line), ...(store.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: store.statementTimeoutMs }) });
  const server = await listen(createApp({ store: opened, ingest: { token: 'test-token-0123456789abcdef', keys: [{ id: 'editor', hash: hashSecret(EDITOR), delete: true, audit: false }], maxBytes: 1024 * 1024, requireIfMatch: false } }));
  const holder = new pg.Client({ connectionString: scratch.url });
  holder.on('error', () => undefined);
  await holder.connect();
  cleanups.push(
    async () => {
      await opened.close();
      await scratch.drop();
      data.remove();
    },
    server.close,
    () => holder.end(),
  );
  const put = async (id: string) => {
    const res = await fetch(`${server.url}/api/articles/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${EDITOR}`, 'content-type': 'application/json' }, body: JSON.stringify(makeRecord({ id, headline: `Story ${id}` })) });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), error: ((await res.json()) as { detail?: string }).detail ?? '' };
  };
  const holdLock = async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT value FROM change_sequence FOR UPDATE');
  };
  return { put, holdLock, release: () => holder.query('ROLLBACK'), log };
}

describe.skipIf(!available)('a PostgreSQL write that times out says so (issue 24 item 7)', () => {
  it('a write that waits past lock_timeout answers 503 with Retry-After naming lock_timeout, not reachability, and succeeds once the lock is free', async () => {
    const { put, holdLock, release, log } = await setup({ urlOptions: '-c lock_timeout=200' });
    expect((await put('before')).status).toBe(201);
    await holdLock();
    const blocked = await put('blocked');
    expect(blocked.status).toBe(503);
    expect(blocked.retryAfter).toMatch(/^\d+$/);
    expect(blocked.error).toMatch(/waited longer than lock_timeout for a lock/);
    expect(blocked.error).toMatch(/nothing was written/);
    expect(blocked.error).not.toMatch(/cannot be reached/);
    await release();
    expect((await put('blocked')).status).toBe(201);
    expect(log.filter((line) => /cannot be reached/.test(line))).toEqual([]);
  });

  it('writes past statement_timeout for over a second answer 503 naming statement_timeout and are not logged as a database outage', async () => {
    const { put, holdLock, release, log } = await setup({ statementTimeoutMs: 300 });
    await holdLock();
    const started = Date.now();
    const answers = [];
    // Past the outage log's one-second blip allowance: an unreachable database would be logged by now.
    while (Date.now() - started < 1600) answers.push(await put(`late-${answers.length}`));
    expect(answers.length).toBeGreaterThanOrEqual(3);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.error).toMatch(/ran past statement_timeout/);
      expect(answer.error).not.toMatch(/cannot be reached/);
    }
    await release();
    expect((await put('after')).status).toBe(201);
    expect(log.filter((line) => /^database: /.test(line))).toEqual([]);
  });
});
