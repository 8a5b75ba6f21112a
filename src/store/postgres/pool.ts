import pg from 'pg';
import { StoreUnavailableError } from '../errors.js';

/** How to reach the database. */
export interface PoolOptions {
  /** A postgres:// URL (DATABASE_URL). */
  readonly url: string;
  /** Connections at most (DATABASE_POOL_SIZE, default 10). */
  readonly size?: number;
  /** Milliseconds to wait for a connection (default 5000): an unreachable server fails a request, it does not hang it. */
  readonly connectTimeoutMs?: number;
  /** Milliseconds any one statement may run (default 10 000; a sync batch of 500 records takes well under a second). */
  readonly statementTimeoutMs?: number;
}

/** Time stamps travel as ISO strings and come back as Dates; 64-bit integers (counts, ms) are returned as strings by default. */
export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/**
 * A pg pool with timeouts on connecting and on every statement, so a
 * database that stops answering turns into errors within seconds instead of
 * requests that hang. Errors of idle clients (the server restarted) are
 * absorbed: the pool replaces the client on next use.
 */
export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.size ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'wirefeed',
  });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Where a URL points, for messages: "host:port/database", never the user's
 * password (a URL in a log is a leaked secret).
 */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    return `${host}:${parsed.port || '5432'}/${database}`;
  } catch {
    return '(an unreadable DATABASE_URL)';
  }
}

/** SQLSTATE classes and Node error codes that mean "the database cannot be reached", not "the statement is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '3D000', '28000', '28P01', '57P01', '57P02', '57P03', '53300', '57014']);

/** True when `error` says the database is down, unreachable, overloaded or timed out. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // node-pg's own messages for a pool timeout and a dropped connection carry no code.
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(error.message);
}

/** Runs `work`, turning connection failures into StoreUnavailableError (HTTP 503), naming the target but never the password. */
export async function guarded<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw new StoreUnavailableError(`The database at ${describeTarget(url)} cannot be reached: ${(error as Error).message.replace(url, '(DATABASE_URL)')}`);
    throw error;
  }
}

/**
 * Runs `work` with one client of the pool to itself, then releases it. pg
 * emits 'error' on a held client whose connection dies (the server was
 * restarted, pg_terminate_backend) and leaves no listener on it while held:
 * unheard, that event kills the process (issue 23). The listener here hears
 * it, the statement in flight still rejects (a 503 upstream), and a client
 * that saw one, or that `work` marks broken, is destroyed on release rather
 * than handed to the next caller.
 */
export async function withClient<T>(pool: Pool, work: (client: Client, markBroken: (error: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const markBroken = (error: Error): void => void (broken ??= error);
  client.on('error', markBroken);
  try {
    return await work(client, markBroken);
  } finally {
    client.removeListener('error', markBroken);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one client: committed when it resolves, rolled back when it throws. */
export function inTransaction<T>(pool: Pool, work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, markBroken) => {
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A client whose ROLLBACK failed has lost its connection.
      await client.query('ROLLBACK').catch(markBroken);
      throw error;
    }
  });
}
