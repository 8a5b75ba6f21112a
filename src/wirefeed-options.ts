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
  readonly activitypub?: boolean;
  readonly rateLimit?: number;
  /** Express "trust proxy": true/false, a hop count, or addresses and subnets (TRUST_PROXY). */
  readonly trustProxy?: boolean | number | string | readonly string[];
  readonly logLevel?: LogLevel;
  /** Serve Prometheus metrics at `<mount>/metrics` (METRICS). */
  readonly metrics?: boolean;
  /** Count readership per feed (STATS; docs/readership.md). */
  readonly stats?: boolean;
  readonly databaseUrl?: string;
  readonly databasePoolSize?: number;
  /** JSON file of scoped API keys (KEYS_FILE; docs/newsroom-writes.md). */
  readonly keysFile?: string;
  /** JSON file of partners and their private feeds (PARTNERS_FILE; docs/partners.md). */
  readonly partnersFile?: string;
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
  activitypub: 'ACTIVITYPUB',
  rateLimit: 'RATE_LIMIT',
  trustProxy: 'TRUST_PROXY',
  logLevel: 'LOG_LEVEL',
  metrics: 'METRICS',
  stats: 'STATS',
  databaseUrl: 'DATABASE_URL',
  databasePoolSize: 'DATABASE_POOL_SIZE',
  keysFile: 'KEYS_FILE',
  partnersFile: 'PARTNERS_FILE',
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

/** What an option's value must be, as its type in WirefeedOptions says; checked when createWirefeed is called. */
type OptionType = 'string' | 'number' | 'boolean' | 'proxies' | 'stream';

/**
 * Every option and the type its value must have: one table, so an option
 * added to WirefeedOptions without a row here fails to compile. Checked when
 * createWirefeed is called, not when the value is first used: a
 * `logDestination` of 5 used to resolve and then kill the host process at
 * the first log line (`stream.write is not a function`).
 */
export const OPTION_TYPES = {
  dataDir: 'string',
  cacheDir: 'string',
  siteUrl: 'string',
  nodeEnv: 'string',
  watch: 'boolean',
  rescanInterval: 'number',
  ingestToken: 'string',
  ingestMaxBytes: 'number',
  feedMaxAge: 'number',
  feedStaleWhileRevalidate: 'number',
  feedStaleIfError: 'number',
  feedCacheEntries: 'number',
  feedCacheMb: 'number',
  websubHub: 'string',
  websubAttempts: 'number',
  activitypub: 'boolean',
  rateLimit: 'number',
  trustProxy: 'proxies',
  logLevel: 'string',
  metrics: 'boolean',
  stats: 'boolean',
  databaseUrl: 'string',
  databasePoolSize: 'number',
  keysFile: 'string',
  partnersFile: 'string',
  requireIfMatch: 'boolean',
  historyKeep: 'number',
  purgeWebhook: 'string',
  varnishUrls: 'string',
  fastlyServiceId: 'string',
  fastlyApiToken: 'string',
  fastlyApiUrl: 'string',
  cloudflareZoneId: 'string',
  cloudflareApiToken: 'string',
  cloudflareApiUrl: 'string',
  logDestination: 'stream',
} as const satisfies Record<keyof WirefeedOptions, OptionType>;

const TYPE_CHECKS: Readonly<Record<OptionType, { readonly accepts: (value: unknown) => boolean; readonly wanted: string }>> = {
  string: { accepts: (value) => typeof value === 'string', wanted: 'a string' },
  number: { accepts: (value) => typeof value === 'number' && Number.isFinite(value), wanted: 'a finite number' },
  boolean: { accepts: (value) => typeof value === 'boolean', wanted: 'true or false' },
  proxies: {
    accepts: (value) => ['string', 'boolean'].includes(typeof value) || (typeof value === 'number' && Number.isFinite(value)) || (Array.isArray(value) && value.every((v) => typeof v === 'string')),
    wanted: 'true, false, a hop count, or an address or subnet (a string or a list of strings)',
  },
  stream: { accepts: (value) => typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function', wanted: 'a writable stream (an object with a write function)' },
};

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object without a write function';
  return JSON.stringify(value) ?? typeof value;
}

/** The option's type, or undefined for a name that is not an option (inherited names such as `constructor` included). */
function optionType(option: string): OptionType | undefined {
  return Object.hasOwn(OPTION_TYPES, option) ? OPTION_TYPES[option as keyof typeof OPTION_TYPES] : undefined;
}

/** The variable an option stands for; `logDestination` has none and is named as itself. */
function variableOf(option: string): string {
  return Object.hasOwn(OPTION_VARIABLES, option) ? OPTION_VARIABLES[option as keyof typeof OPTION_VARIABLES] : option;
}

/** The options object itself, each own name known, each value of its type: a WirefeedOptionError for the first that is not. */
export function checkOptions(options: unknown): asserts options is WirefeedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new WirefeedOptionError('(options)', '(options)', `must be an object of settings, got ${Array.isArray(options) ? 'an array' : (JSON.stringify(options) ?? typeof options)}`);
  }
  // Own names only, symbols too: a name found through the prototype (constructor, toString) is not a setting.
  for (const key of Reflect.ownKeys(options)) {
    const option = String(key);
    const value = (options as Record<PropertyKey, unknown>)[key];
    const type = typeof key === 'string' ? optionType(key) : undefined;
    if (type === undefined) {
      const why = LISTENER_OPTIONS.has(option) ? 'belongs to the server that listens, which is your app when wirefeed is mounted' : `is not a wirefeed option (they are ${Object.keys(OPTION_TYPES).join(', ')})`;
      throw new WirefeedOptionError(option, option, why);
    }
    if (value === undefined) continue;
    const check = TYPE_CHECKS[type];
    if (!check.accepts(value)) throw new WirefeedOptionError(option, variableOf(option), `must be ${check.wanted}, got ${describeValue(value)}`);
  }
}

/** One checked option as the string its variable would hold; a list of proxies comma-separated. */
function asVariable(value: string | number | boolean | readonly string[]): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/**
 * The options as the environment loadConfig reads, then loadConfig's own
 * validation, so a bad option fails exactly as the bad variable would (a
 * ConfigError), with a message naming the option. Unknown options are
 * refused rather than ignored: a typo would otherwise silently keep a default.
 */
export function configFromOptions(options: WirefeedOptions): Config {
  checkOptions(options);
  const env: Record<string, string> = {};
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined || option === 'logDestination') continue;
    env[variableOf(option)] = asVariable(value as string | number | boolean | readonly string[]);
  }
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new WirefeedOptionError(VARIABLE_OPTIONS.get(error.variable) ?? error.variable, error.variable, error.problem);
  }
}
