import { ConfigError, loadConfig, type Config, type LogLevel } from './config/config.js';

/**
 * The settings of createWirefeed: the standalone server's environment
 * variables in camelCase (DATA_DIR → dataDir, FEED_CACHE_MB → feedCacheMb),
 * with the same defaults and the same validation. The process environment is
 * not read: two instances in one process share nothing.
 */
export interface WirefeedOptions {
  /** Folder holding site.json and articles/ (DATA_DIR); default `./data`. */
  readonly dataDir?: string;
  readonly cacheDir?: string;
  /** Public URL of the mount, path included: `https://news.example.org/feeds` (SITE_URL). Required unless site.json has `baseUrl`. */
  readonly siteUrl?: string;
  /** `production` hides error details from responses (NODE_ENV). */
  readonly nodeEnv?: string;
  readonly watch?: boolean;
  /** Seconds between full rescans of dataDir (RESCAN_INTERVAL). */
  readonly rescanInterval?: number;
  readonly ingestToken?: string;
  readonly ingestMaxBytes?: number;
  readonly feedMaxAge?: number;
  readonly feedStaleWhileRevalidate?: number;
  readonly feedStaleIfError?: number;
  readonly feedCacheEntries?: number;
  readonly feedCacheMb?: number;
  readonly websubHub?: string;
  readonly websubAttempts?: number;
  readonly rateLimit?: number;
  /** Express "trust proxy": true/false, a hop count, or addresses and subnets (TRUST_PROXY). */
  readonly trustProxy?: boolean | number | string | readonly string[];
  readonly logLevel?: LogLevel;
  /** Serve Prometheus metrics at `<mount>/metrics` (METRICS). */
  readonly metrics?: boolean;
  readonly databaseUrl?: string;
  readonly databasePoolSize?: number;
  /** JSON file of scoped API keys (KEYS_FILE; docs/newsroom-writes.md). */
  readonly keysFile?: string;
  /** Writes over a stored story must name its ETag (REQUIRE_IF_MATCH). */
  readonly requireIfMatch?: boolean;
  /** Versions kept per article (HISTORY_KEEP). */
  readonly historyKeep?: number;
  /** URL told the CDN keys of the feeds each change touched (PURGE_WEBHOOK). */
  readonly purgeWebhook?: string;
  /** Purge targets (docs/scale.md): Varnish servers, comma-separated (VARNISH_URLS); Fastly and Cloudflare (FASTLY_*, CLOUDFLARE_*). */
  readonly varnishUrls?: string;
  readonly fastlyServiceId?: string;
  readonly fastlyApiToken?: string;
  readonly fastlyApiUrl?: string;
  readonly cloudflareZoneId?: string;
  readonly cloudflareApiToken?: string;
  readonly cloudflareApiUrl?: string;
  /** Where the JSON log lines go (no variable: the standalone server writes to standard output, the default here too). */
  readonly logDestination?: NodeJS.WritableStream;
}

/** Each option and the variable it stands for. */
export const OPTION_VARIABLES = {
  dataDir: 'DATA_DIR',
  cacheDir: 'CACHE_DIR',
  siteUrl: 'SITE_URL',
  nodeEnv: 'NODE_ENV',
  watch: 'WATCH',
  rescanInterval: 'RESCAN_INTERVAL',
  ingestToken: 'INGEST_TOKEN',
  ingestMaxBytes: 'INGEST_MAX_BYTES',
  feedMaxAge: 'FEED_MAX_AGE',
  feedStaleWhileRevalidate: 'FEED_STALE_WHILE_REVALIDATE',
  feedStaleIfError: 'FEED_STALE_IF_ERROR',
  feedCacheEntries: 'FEED_CACHE_ENTRIES',
  feedCacheMb: 'FEED_CACHE_MB',
  websubHub: 'WEBSUB_HUB',
  websubAttempts: 'WEBSUB_ATTEMPTS',
  rateLimit: 'RATE_LIMIT',
  trustProxy: 'TRUST_PROXY',
  logLevel: 'LOG_LEVEL',
  metrics: 'METRICS',
  databaseUrl: 'DATABASE_URL',
  databasePoolSize: 'DATABASE_POOL_SIZE',
  keysFile: 'KEYS_FILE',
  requireIfMatch: 'REQUIRE_IF_MATCH',
  historyKeep: 'HISTORY_KEEP',
  purgeWebhook: 'PURGE_WEBHOOK',
  varnishUrls: 'VARNISH_URLS',
  fastlyServiceId: 'FASTLY_SERVICE_ID',
  fastlyApiToken: 'FASTLY_API_TOKEN',
  fastlyApiUrl: 'FASTLY_API_URL',
  cloudflareZoneId: 'CLOUDFLARE_ZONE_ID',
  cloudflareApiToken: 'CLOUDFLARE_API_TOKEN',
  cloudflareApiUrl: 'CLOUDFLARE_API_URL',
} as const satisfies Record<Exclude<keyof WirefeedOptions, 'logDestination'>, string>;

/** Settings of the listening server, which belong to the host app when wirefeed is mounted in it. */
const LISTENER_OPTIONS = new Set(['port', 'host', 'maxConnectionsPerClient', 'metricsPort']);

/** A bad createWirefeed option: a ConfigError (the same check as for the variable) whose message names the option. */
export class WirefeedOptionError extends ConfigError {
  constructor(
    readonly option: string,
    variable: string,
    problem: string,
  ) {
    super(variable, problem);
    this.name = 'WirefeedOptionError';
    this.message = `createWirefeed: option ${option} ${problem}`;
  }
}

const VARIABLE_OPTIONS = new Map<string, string>(Object.entries(OPTION_VARIABLES).map(([option, variable]) => [variable, option]));

/** One option as the string its variable would hold; numbers and booleans as written, a list of proxies comma-separated. */
function asVariable(option: string, variable: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (option === 'trustProxy' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new WirefeedOptionError(option, variable, `must be a string, a finite number or a boolean, got ${JSON.stringify(value) ?? typeof value}`);
}

/**
 * The options as the environment loadConfig reads, then loadConfig's own
 * validation, so a bad option fails exactly as the bad variable would (a
 * ConfigError), with a message naming the option. Unknown options are
 * refused rather than ignored: a typo would otherwise silently keep a default.
 */
export function configFromOptions(options: WirefeedOptions): Config {
  const env: Record<string, string> = {};
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined || option === 'logDestination') continue;
    const variable = (OPTION_VARIABLES as Record<string, string>)[option];
    if (variable === undefined) {
      const why = LISTENER_OPTIONS.has(option) ? 'belongs to the server that listens, which is your app when wirefeed is mounted' : `is not a wirefeed option (they are ${Object.keys(OPTION_VARIABLES).join(', ')})`;
      throw new WirefeedOptionError(option, option, why);
    }
    env[variable] = asVariable(option, variable, value);
  }
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new WirefeedOptionError(VARIABLE_OPTIONS.get(error.variable) ?? error.variable, error.variable, error.problem);
  }
}
