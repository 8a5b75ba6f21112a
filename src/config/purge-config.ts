import { ConfigError, optionalUrl } from './config.js';

/**
 * Where wirefeed sends the CDN keys of the feeds each change touched
 * (src/purge/ builds a target for each; docs/scale.md names every
 * provider's documentation page). Any number may be set at once.
 */
export interface PurgeConfig {
  /** PURGE_WEBHOOK: POSTed `{"keys": [...], "feeds": [...]}`. */
  readonly webhook?: string;
  /** VARNISH_URLS: base URLs of Varnish servers running deploy/varnish/default.vcl, each sent a PURGE with the keys. */
  readonly varnishUrls: readonly string[];
  /** FASTLY_SERVICE_ID, FASTLY_API_TOKEN, FASTLY_API_URL: purge by surrogate key. */
  readonly fastly?: { readonly serviceId: string; readonly apiToken: string; readonly apiUrl: string };
  /** CLOUDFLARE_ZONE_ID, CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_URL: purge by cache tag. */
  readonly cloudflare?: { readonly zoneId: string; readonly apiToken: string; readonly apiUrl: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The purge targets. A provider with its id but not its token (or the other
 * way round) is an error naming the missing variable, never a silent
 * no-purge. Token values are never repeated in a message.
 */
export function loadPurgeConfig(env: Env): PurgeConfig {
  const webhook = optionalUrl(env, 'PURGE_WEBHOOK', { allowQuery: true });
  const fastly = provider(env, 'FASTLY_SERVICE_ID', 'FASTLY_API_TOKEN');
  const cloudflare = provider(env, 'CLOUDFLARE_ZONE_ID', 'CLOUDFLARE_API_TOKEN');
  return {
    ...(webhook === undefined ? {} : { webhook }),
    varnishUrls: urlList(env, 'VARNISH_URLS'),
    ...(fastly === undefined ? {} : { fastly: { serviceId: fastly.id, apiToken: fastly.token, apiUrl: optionalUrl(env, 'FASTLY_API_URL') ?? 'https://api.fastly.com' } }),
    ...(cloudflare === undefined ? {} : { cloudflare: { zoneId: cloudflare.id, apiToken: cloudflare.token, apiUrl: optionalUrl(env, 'CLOUDFLARE_API_URL') ?? 'https://api.cloudflare.com/client/v4' } }),
  };
}

function provider(env: Env, idName: string, tokenName: string): { id: string; token: string } | undefined {
  const id = env[idName]?.trim() ?? '';
  const token = env[tokenName]?.trim() ?? '';
  if (id === '' && token === '') return undefined;
  if (id === '') throw new ConfigError(idName, `must be set when ${tokenName} is`);
  if (token === '') throw new ConfigError(tokenName, `must be set when ${idName} is`);
  // Both go into a URL path or a header as they are.
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new ConfigError(idName, `must be letters, digits, - and _ only, got ${JSON.stringify(env[idName])}`);
  if (/\s/.test(token)) throw new ConfigError(tokenName, 'must not contain white space (the value is not shown: it is a secret)');
  return { id, token };
}

/** Comma-separated absolute http(s) base URLs, each without a query; trailing slashes dropped. */
function urlList(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      try {
        return optionalUrl({ [name]: part }, name) as string;
      } catch {
        throw new ConfigError(name, `must be comma-separated absolute http(s) URLs without a query, got ${JSON.stringify(part)} in ${JSON.stringify(raw)}`);
      }
    });
}
