import { isIP } from 'node:net';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadPurgeConfig, type PurgeConfig } from './purge-config.js';

/** Process configuration, read once from the environment at start. */
export interface Config {
  readonly port: number;
  /** Address to listen on. */
  readonly host: string;
  readonly dataDir: string;
  /** CACHE_DIR: folder of the persisted article index; undefined: a hidden folder in DATA_DIR, or a temp folder when DATA_DIR is read-only. */
  readonly cacheDir?: string;
  /** Public base URL (no trailing slash); overrides site.json's `baseUrl` when set. */
  readonly siteUrl?: string;
  /** `production` hides error details from responses. */
  readonly production: boolean;
  /** How feeds may be cached by clients and proxies. */
  readonly feedCaching: FeedCachingConfig;
  /** WebSub hub to announce and ping; undefined: no WebSub. */
  readonly websubHub?: string;
  /** Attempts per hub ping before giving up (1 = no retry). */
  readonly websubAttempts: number;
  /** ACTIVITYPUB: every feed an ActivityPub actor, followable from Mastodon (docs/activitypub.md). */
  readonly activitypub: boolean;
  /** PURGE_WEBHOOK, VARNISH_URLS, FASTLY_*, CLOUDFLARE_*: told the CDN keys of the feeds each change touched (once for a fleet). */
  readonly purge: PurgeConfig;
  /** RESCAN_INTERVAL: seconds between full rescans of DATA_DIR (catches lost fs.watch events); 0 turns it off. */
  readonly rescanIntervalSeconds: number;
  /** WATCH: react to file changes in DATA_DIR as they happen (fs.watch). */
  readonly watch: boolean;
  /** INGEST_TOKEN: enables the ingest API at /api/articles; clients send it as a Bearer token. */
  readonly ingestToken?: string;
  /** INGEST_MAX_BYTES: largest request body the ingest API accepts. */
  readonly ingestMaxBytes: number;
  /** KEYS_FILE: JSON list of scoped API keys (http/api-keys.ts); enables the ingest API too. */
  readonly keysFile?: string;
  /** PARTNERS_FILE: JSON list of partners and their private feeds (partners/partner.ts); read at start. */
  readonly partnersFile?: string;
  /** REQUIRE_IF_MATCH: PUT over an existing article and DELETE need If-Match (428 without). */
  readonly requireIfMatch: boolean;
  /** HISTORY_KEEP: versions kept per article; undefined (0 or unset) keeps all. */
  readonly historyKeep?: number;
  /** RATE_LIMIT: requests per minute per client (IPv4 address or IPv6 /64); 0 = no limit (the default). */
  readonly rateLimit: number;
  /** TRUST_PROXY: Express's "trust proxy" setting; false = use the socket's address, ignore X-Forwarded-For. */
  readonly trustProxy: TrustProxy;
  /**
   * MAX_CONNECTIONS_PER_CLIENT: open connections one client (IPv4 address or
   * IPv6 /64, as the socket sees it) may hold; 0 = no cap. Default 64, or 0
   * when TRUST_PROXY is set: then every connection comes from the proxy, which
   * is where a per-client cap belongs.
   */
  readonly maxConnectionsPerClient: number;
  /** LOG_LEVEL: least severe level written to the JSON log. */
  readonly logLevel: LogLevel;
  /** METRICS: serve Prometheus metrics at /metrics. */
  readonly metrics: boolean;
  /** METRICS_PORT: serve /metrics on this port only (not on PORT); needs METRICS=true. */
  readonly metricsPort?: number;
  /** STATS: count readership (subscribers per feed, docs/readership.md); on unless STATS=false. */
  readonly stats: boolean;
  /** DATABASE_URL: a postgres:// URL; when set, articles live in PostgreSQL instead of DATA_DIR/articles. */
  readonly databaseUrl?: string;
  /** DATABASE_POOL_SIZE: connections the PostgreSQL pool opens at most. */
  readonly databasePoolSize: number;
}

/** pino's levels, most severe first; `silent` writes nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Cache-Control lifetimes (seconds) and the size of the in-memory feed cache. */
export interface FeedCachingConfig {
  /** `max-age`, capped at the next embargo release. */
  readonly maxAge: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  /** Rendered feeds (one per feed, format and query) kept in memory at most. */
  readonly cacheEntries: number;
  /** Bytes of rendered and compressed feeds kept in memory at most. */
  readonly cacheBytes: number;
}

/** The loader refuses article files over 5 MiB, so the API accepts no more than that. */
const MAX_INGEST_BYTES = 5 * 1024 * 1024;

/** false, true (trust every hop: only behind a proxy that overwrites X-Forwarded-For), a hop count, or addresses/subnets/names. */
export type TrustProxy = boolean | number | readonly string[];

/** A variable that is set but unusable. The message names the variable and the value. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`environment variable ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws ConfigError on the first bad variable. */
export function loadConfig(env: Env): Config {
  const siteUrl = optionalUrl(env, 'SITE_URL');
  const websubHub = optionalUrl(env, 'WEBSUB_HUB', { allowQuery: true });
  const dataDir = nonEmpty(env, 'DATA_DIR', './data');
  const cacheDir = optionalCacheDir(env, 'CACHE_DIR', dataDir);
  const database = optionalDatabaseUrl(env, 'DATABASE_URL');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST', '0.0.0.0'),
    dataDir,
    ...(cacheDir === undefined ? {} : { cacheDir }),
    ...(siteUrl === undefined ? {} : { siteUrl }),
    production: env.NODE_ENV === 'production',
    feedCaching: {
      maxAge: integer(env, 'FEED_MAX_AGE', 300, 0, YEAR),
      staleWhileRevalidate: integer(env, 'FEED_STALE_WHILE_REVALIDATE', 60, 0, YEAR),
      staleIfError: integer(env, 'FEED_STALE_IF_ERROR', 86400, 0, YEAR),
      cacheEntries: integer(env, 'FEED_CACHE_ENTRIES', 1000, 1, 1_000_000),
      cacheBytes: integer(env, 'FEED_CACHE_MB', 64, 1, 65536) * 1024 * 1024,
    },
    ...(websubHub === undefined ? {} : { websubHub }),
    websubAttempts: integer(env, 'WEBSUB_ATTEMPTS', 5, 1, 20),
    activitypub: boolean(env, 'ACTIVITYPUB', false),
    purge: loadPurgeConfig(env),
    rescanIntervalSeconds: integer(env, 'RESCAN_INTERVAL', 30, 0, 86_400),
    watch: boolean(env, 'WATCH', true),
    ...optionalToken(env, 'INGEST_TOKEN'),
    ingestMaxBytes: integer(env, 'INGEST_MAX_BYTES', 1024 * 1024, 1, MAX_INGEST_BYTES),
    ...(env.KEYS_FILE === undefined || env.KEYS_FILE.trim() === '' ? {} : { keysFile: env.KEYS_FILE.trim() }),
    ...(env.PARTNERS_FILE === undefined || env.PARTNERS_FILE.trim() === '' ? {} : { partnersFile: env.PARTNERS_FILE.trim() }),
    requireIfMatch: boolean(env, 'REQUIRE_IF_MATCH', false),
    ...(integer(env, 'HISTORY_KEEP', 0, 0, 1_000_000) === 0 ? {} : { historyKeep: integer(env, 'HISTORY_KEEP', 0, 0, 1_000_000) }),
    rateLimit: integer(env, 'RATE_LIMIT', 0, 0, 1_000_000),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    maxConnectionsPerClient: integer(env, 'MAX_CONNECTIONS_PER_CLIENT', trustProxy(env, 'TRUST_PROXY') === false ? DEFAULT_CONNECTIONS_PER_CLIENT : 0, 0, 1_000_000),
    logLevel: logLevel(env, 'LOG_LEVEL'),
    ...metrics(env),
    stats: boolean(env, 'STATS', true),
    ...database,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
  };
}

/**
 * A feed reader or browser opens a handful of connections; 64 leaves room
 * for a small office behind one address, and 16 such clients still leave
 * the 1,024-connection cap free for everyone else.
 */
const DEFAULT_CONNECTIONS_PER_CLIENT = 64;

function logLevel(env: Env, name: string): LogLevel {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env[name])}`);
}

/** METRICS_PORT without METRICS=true would silently serve nothing: an error instead. */
function metrics(env: Env): { metrics: boolean; metricsPort?: number } {
  const on = boolean(env, 'METRICS', false);
  if (env.METRICS_PORT === undefined || env.METRICS_PORT.trim() === '') return { metrics: on };
  const port = integer(env, 'METRICS_PORT', 0, 1, 65535);
  if (!on) throw new ConfigError('METRICS_PORT', 'is set but METRICS is not true; set METRICS=true to serve metrics');
  if (port === integer(env, 'PORT', 3000, 0, 65535)) throw new ConfigError('METRICS_PORT', `must differ from PORT (${port})`);
  return { metrics: on, metricsPort: port };
}

const YEAR = 31_536_000;

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); the default when unset or empty. */
export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * A shared secret: at least 16 characters, no white space (a short token is
 * guessable; white space is almost always a copy-and-paste accident).
 */
function optionalToken(env: Env, name: string): { ingestToken?: string } {
  const raw = env[name];
  if (raw === undefined || raw === '') return {};
  if (/\s/.test(raw)) throw new ConfigError(name, 'must not contain white space');
  if (raw.length < 16) throw new ConfigError(name, `must be at least 16 characters long, got ${raw.length}`);
  return { ingestToken: raw };
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Express takes it: "false" (default) or "true", a number of
 * hops, or a comma-separated list of addresses, CIDR subnets and the names
 * loopback, linklocal, uniquelocal. Anything else is an error, never a guess.
 */
export function trustProxy(env: Env, name: string): TrustProxy {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return integer(env, name, 0, 0, 100);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (PROXY_NAMES.includes(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(name, `must be "true", "false", a number of proxy hops, or a comma-separated list of addresses, subnets (10.0.0.0/8) and loopback/linklocal/uniquelocal, got ${JSON.stringify(env[name])}`);
    }
  }
  return entries;
}

/** An integer in [min, max]; the default when the variable is unset or empty. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * A folder for the article index, or undefined when unset. Refused inside
 * DATA_DIR/articles: the index there would sit among the records it
 * describes, and every write of it would wake the reloader.
 */
function optionalCacheDir(env: Env, name: string, dataDir: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const dir = raw.trim();
  if (dir.includes('\0')) throw new ConfigError(name, 'must be a folder path, got a value with a NUL character');
  const inside = relative(resolve(join(dataDir, 'articles')), resolve(dir));
  if (inside === '' || !(inside.split(sep)[0] === '..' || isAbsolute(inside))) throw new ConfigError(name, `must not be DATA_DIR/articles or a folder inside it, got ${JSON.stringify(raw)}`);
  return dir;
}

function nonEmpty(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.trim();
}

/** An absolute http(s) URL without a trailing slash (or, with `allowQuery`, exactly as given), or undefined when unset. */
export function optionalUrl(env: Env, name: string, options: { allowQuery?: boolean } = {}): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.hash || (url.search && !options.allowQuery)) throw new ConfigError(name, `must not have a query or fragment, got ${JSON.stringify(raw)}`);
  // A hub endpoint is used exactly as given; a base URL loses its trailing slash so paths can be appended.
  return options.allowQuery ? url.toString() : url.toString().replace(/\/+$/, '');
}

/**
 * A postgres:// (or postgresql://) URL (no host: localhost). The message never
 * repeats the value: a database URL usually holds a password.
 */
export function optionalDatabaseUrl(env: Env, name: string): { databaseUrl?: string } {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return {};
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL like postgres://user:password@host:5432/database (the value is not shown: it may hold a password)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres:// or postgresql://, got ${JSON.stringify(url.protocol + '//')}`);
  }
  return { databaseUrl: raw };
}
