import type { PurgeConfig } from '../config/purge-config.js';
import type { PurgeTarget } from '../websub/hub-ping.js';
import { cloudflareTarget } from './cloudflare.js';
import { fastlyTarget } from './fastly.js';
import { varnishTargets } from './varnish.js';
import { webhookTarget } from './webhook.js';

/** Every configured purge target; the publishers send each change's keys to all of them, each retried on its own. */
export function purgeTargetsOf(config: PurgeConfig): PurgeTarget[] {
  return [
    ...(config.webhook === undefined ? [] : [webhookTarget(config.webhook)]),
    ...varnishTargets(config.varnishUrls),
    ...(config.fastly === undefined ? [] : [fastlyTarget(config.fastly)]),
    ...(config.cloudflare === undefined ? [] : [cloudflareTarget(config.cloudflare)]),
  ];
}
