import type { PurgeTarget } from '../websub/hub-ping.js';
import { inBatches, sendBatches } from './batches.js';

/**
 * Keys per PURGE: a feed's keys are short ("tags/korea"), and 200 of them
 * keep the header well under Varnish's 8 KB default for one header line
 * (http_req_hdr_len).
 */
const VARNISH_KEYS_PER_REQUEST = 200;

/**
 * VARNISH_URLS: one target per Varnish server (a server that is down is
 * retried on its own), each sent `PURGE /` with the keys, space-separated,
 * in an `xkey-purge` header, which deploy/varnish/default.vcl hands to
 * vmod_xkey's purge (allowed only from the addresses in its
 * wirefeed_purgers acl).
 */
export function varnishTargets(urls: readonly string[]): PurgeTarget[] {
  return urls.map((url) => ({
    name: `purge varnish ${url}`,
    purge: (keys, _feeds, timeoutMs) => sendBatches(`${url}/`, inBatches(keys, VARNISH_KEYS_PER_REQUEST), (batch) => ({ method: 'PURGE', headers: { 'xkey-purge': batch.join(' ') } }), timeoutMs),
  }));
}
