import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The server the tests use: trust authentication, user postgres (.ci/run starts one when none answers). */
export const POSTGRES_ADMIN_URL = process.env.WIREFEED_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether a PostgreSQL server answers. Without one the PostgreSQL tests
 * are skipped with a message, unless WIREFEED_REQUIRE_POSTGRES=1 (CI),
 * where a skip would hide a backend that was never tested.
 */
export async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const message = `no PostgreSQL server answers at ${new URL(POSTGRES_ADMIN_URL).host} (${(error as Error).message})`;
    if (process.env.WIREFEED_REQUIRE_POSTGRES === '1') throw new Error(`${message}; WIREFEED_REQUIRE_POSTGRES=1 makes that a failure`);
    console.warn(`Skipping the PostgreSQL tests: ${message}.`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** URL of database `name` on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty database with a random name; returns its URL and the function that drops it. */
export async function createScratchDatabase(prefix = 'wirefeed_test'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const drop = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  return { url: databaseUrl(name), name, drop };
}

/**
 * A fresh database for the calling test file, created before its tests
 * and dropped after them. `url()` is valid inside tests and hooks.
 */
export function useScratchDatabase(): { url: () => string } {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
  });
  afterAll(async () => {
    await scratch?.drop();
  });
  return {
    url: () => {
      if (scratch === undefined) throw new Error('the scratch database is created in beforeAll');
      return scratch.url;
    },
  };
}
