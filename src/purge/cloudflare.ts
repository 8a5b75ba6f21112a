import type { PurgeTarget } from '../websub/hub-ping.js';
import { inBatches, sendBatches } from './batches.js';

/** Cloudflare's documented limit: 100 operations (here tags) per purge request, on every plan ("Purge cache", purge limits). */
const CLOUDFLARE_TAGS_PER_REQUEST = 100;

/**
 * Cloudflare, purge by cache tag (wirefeed's Cache-Tag header):
 * `POST {CLOUDFLARE_API_URL}/zones/{CLOUDFLARE_ZONE_ID}/purge_cache` with
 * `Authorization: Bearer {CLOUDFLARE_API_TOKEN}` and `{"tags": [...]}`, at
 * most 100 tags per request ("Purge cache by cache-tags" and the API
 * reference's "Purge Cached Content"). The token goes only into that header.
 */
export function cloudflareTarget(settings: { readonly zoneId: string; readonly apiToken: string; readonly apiUrl: string }): PurgeTarget {
  const url = `${settings.apiUrl}/zones/${encodeURIComponent(settings.zoneId)}/purge_cache`;
  return {
    name: 'purge cloudflare',
    purge: (keys, _feeds, timeoutMs) =>
      sendBatches(url, inBatches(keys, CLOUDFLARE_TAGS_PER_REQUEST), (batch) => ({ method: 'POST', headers: { authorization: `Bearer ${settings.apiToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ tags: batch }) }), timeoutMs),
  };
}
