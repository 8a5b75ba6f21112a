import type { PurgeTarget } from '../websub/hub-ping.js';
import { inBatches, sendBatches } from './batches.js';

/** Fastly's documented limit for one bulk purge: "Up to 256 surrogate keys can be purged in one batch request". */
const FASTLY_KEYS_PER_REQUEST = 256;

/**
 * Fastly, purge by surrogate key (wirefeed's Surrogate-Key header):
 * `POST {FASTLY_API_URL}/service/{FASTLY_SERVICE_ID}/purge` with the token
 * in `Fastly-Key` and `{"surrogate_keys": [...]}` as the body, at most 256
 * keys per request ("Purge multiple surrogate key tags" in Fastly's API
 * reference, Purging). The token goes only into that header.
 */
export function fastlyTarget(settings: { readonly serviceId: string; readonly apiToken: string; readonly apiUrl: string }): PurgeTarget {
  const url = `${settings.apiUrl}/service/${encodeURIComponent(settings.serviceId)}/purge`;
  return {
    name: 'purge fastly',
    purge: (keys, _feeds, timeoutMs) =>
      sendBatches(url, inBatches(keys, FASTLY_KEYS_PER_REQUEST), (batch) => ({ method: 'POST', headers: { 'fastly-key': settings.apiToken, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ surrogate_keys: batch }) }), timeoutMs),
  };
}
