import pg from 'pg';
import { StoreTimeoutError, StoreUnavailableError } from '../errors.js';

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

/** A failure against the database at `url`, for a message: where (describeTarget) and what, with the URL itself, password and all, never repeated. */
export function describeFailure(url: string, error: unknown): string {
  return `${describeTarget(url)}: ${(error as Error).message.replaceAll(url, '(DATABASE_URL)')}`;
}

/** SQLSTATE classes and Node error codes that mean "the database cannot be reached", not "the statement is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '3D000', '28000', '28P01', '57P01', '57P02', '57P03', '53300']);

/**
 * What a statement the database gave up on waited for, by SQLSTATE:
 * 55P03 lock_not_available (lock_timeout, NOWAIT) and 57014 query_canceled
 * (statement_timeout, or pg_cancel_backend). The database answered these,
 * so they are not "cannot be reached" (issue 24: a lock wait was reported so).
 */
function describeTimeout(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === '55P03') return 'a statement waited longer than lock_timeout for a lock another transaction holds';
  if (code !== '57014') return undefined;
  return /statement timeout/i.test(error.message) ? 'a statement ran past statement_timeout' : 'a statement was cancelled';
}

/** True when `error` says the database is down, unreachable or overloaded. */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // node-pg's own messages for a pool timeout and a dropped connection carry no code.
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(error.message);
}

/**
 * Runs `work`, turning connection failures into StoreUnavailableError and
 * lock and statement timeouts into StoreTimeoutError (both HTTP 503 with
 * Retry-After), each saying which, naming the target but never the password.
 */
export async function guarded<T>(url: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const timeout = describeTimeout(error);
    if (timeout !== undefined) throw new StoreTimeoutError(`The database at ${describeTarget(url)} answered, but ${timeout}: ${(error as Error).message}`);
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

/**
 * Says once that the database went away and once that it came back. In an
 * outage every read that misses the cache and every write fails with a
 * StoreUnavailableError (a 503 in the access log); logging each of them at
 * error level wrote about 9,500 lines per 20 s outage (issue 23), which
 * buries the two lines an operator needs: when it began and when it ended.
 * A connection cut that the next statement already gets past (a
 * pg_terminate_backend, a proxy dropping one connection) is a blip, not an
 * outage: only failures that go on for BLIP_MS are reported.
 */
export class DatabaseOutage {
  /** Epoch ms of the first failure of the outage going on, if one is. */
  private downSince: number | undefined;
  /** Whether the outage going on has been logged (it lasted BLIP_MS). */
  private reported = false;

  constructor(
    /** "host:port/database", never the password. */
    private readonly target: string,
    private readonly log: (line: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Runs `work`, noting whether the database answered. */
  async watch<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.answered();
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError && !(error instanceof StoreTimeoutError)) this.failed(error);
      // Any other error (a constraint, a bad record, a lock or statement timeout) came from a database that answered.
      else this.answered();
      throw error;
    }
  }

  /** True while the last statement failed for want of the database. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  private failed(error: Error): void {
    const now = this.clock();
    this.downSince ??= now;
    if (this.reported || now - this.downSince < BLIP_MS) return;
    this.reported = true;
    this.log(`database: ${this.target} cannot be reached since ${new Date(this.downSince).toISOString()} (${error.message}); rendered feeds are served from memory, other reads and writes answer 503 with Retry-After until it is back`);
  }

  private answered(): void {
    if (this.downSince === undefined) return;
    const seconds = ((this.clock() - this.downSince) / 1000).toFixed(1);
    if (this.reported) this.log(`database: ${this.target} answers again (unreachable for ${seconds} s)`);
    this.downSince = undefined;
    this.reported = false;
  }
}

/** Failures for less than this (ms), ended by a statement that succeeds, are not logged as an outage. */
const BLIP_MS = 1000;
