import { isIP } from 'node:net';

/** Process configuration, read once from the environment at start. */
export interface Config {
  readonly port: number;
  /** Address to listen on. */
  readonly host: string;
  readonly dataDir: string;
  /** Public base URL (no trailing slash); overrides site.json's `baseUrl` when set. */
  readonly siteUrl?: string;
  /** `production` hides error details from responses. */
  readonly production: boolean;
  /** RATE_LIMIT: requests per minute per client (IPv4 address or IPv6 /64); 0 = no limit (the default). */
  readonly rateLimit: number;
  /** TRUST_PROXY: Express's "trust proxy" setting; false = use the socket's address, ignore X-Forwarded-For. */
  readonly trustProxy: TrustProxy;
}

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
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST', '0.0.0.0'),
    dataDir: nonEmpty(env, 'DATA_DIR', './data'),
    ...(siteUrl === undefined ? {} : { siteUrl }),
    production: env.NODE_ENV === 'production',
    rateLimit: integer(env, 'RATE_LIMIT', 0, 0, 1_000_000),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
  };
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

export function nonEmpty(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.trim();
}

/** An absolute http(s) URL without a trailing slash, or undefined when unset. */
export function optionalUrl(env: Env, name: string): string | undefined {
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
  if (url.search || url.hash) throw new ConfigError(name, `must not have a query or fragment, got ${JSON.stringify(raw)}`);
  return url.toString().replace(/\/+$/, '');
}
