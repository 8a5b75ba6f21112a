import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { rawRequest } from '../http/feed-client.js';
import { makeRecord } from '../helpers/builders.js';
import { createScratchDatabase, probePostgres } from '../helpers/postgres.js';
import { freePort } from '../helpers/throwaway-cluster.js';
import { makeDataDir } from '../live/data-dir.js';
import { builtFile } from './build.js';

/**
 * Issue 23's reproduction, as a real server process: a write waits on the
 * change sequence's row lock (another session holds it), and its
 * connection is terminated while it waits. pg emits 'error' on a client
 * taken with pool.connect(); without a listener that kills the process.
 * The write must get a 503 with Retry-After, and the server must live.
 */
const available = await probePostgres();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN = 'token-for-connection-death';

describe.skipIf(!available)('a write whose database connection dies', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let data: ReturnType<typeof makeDataDir>;
  let child: ChildProcess;
  let exited: number | null | undefined;
  let output = '';
  let base = '';

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    const pool = createPool({ url: scratch.url });
    await migrate(pool);
    await pool.end();
    data = makeDataDir();
    const port = await freePort();
    child = spawn(process.execPath, [builtFile('src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: data.dir, DATABASE_URL: scratch.url, SITE_URL: 'https://feeds.example.org', INGEST_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (exited = code));
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      if ((await rawRequest(`${base}/healthz`).catch(() => undefined))?.status === 200) break;
      if (i > 400 || exited !== undefined) throw new Error(`the server did not start: ${output.slice(0, 2000)}`);
      await sleep(50);
    }
  }, 120_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    data?.remove();
    await scratch?.drop();
  });

  it('answers 503 with Retry-After and the process lives on to take the next write', async () => {
    const holder = new pg.Client({ connectionString: scratch.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT value FROM change_sequence FOR UPDATE');
    const answer = fetch(`${base}/api/articles/x`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(makeRecord({ id: 'x' })),
      signal: AbortSignal.timeout(15_000),
    });
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    try {
      let killed = 0;
      for (let i = 0; i < 200 && killed === 0; i += 1) {
        await sleep(25);
        const result = await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'wirefeed' AND wait_event_type = 'Lock'",
        );
        killed = result.rowCount ?? 0;
      }
      expect(killed).toBe(1);
      const response = await answer;
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await holder.query('COMMIT').catch(() => undefined);
      await holder.end().catch(() => undefined);
      await admin.end();
    }
    await sleep(300);
    expect(exited, output.slice(0, 3000)).toBeUndefined();
    const next = await fetch(`${base}/api/articles/y`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(makeRecord({ id: 'y' })),
    });
    expect(next.status).toBe(201);
  }, 60_000);
});
