import { postOnce, type PurgeTarget } from '../websub/hub-ping.js';

/**
 * PURGE_WEBHOOK: the generic target, one POST of `{"keys": [...], "feeds": [...]}`
 * for a small adapter of the newsroom's own. Named "purge", the name the
 * outbox recorded before there were other targets.
 */
export function webhookTarget(url: string): PurgeTarget {
  return {
    name: 'purge',
    purge: async (keys, feeds, timeoutMs) => {
      const result = await postOnce(url, JSON.stringify({ keys, feeds }), 'application/json', timeoutMs);
      return result.ok ? undefined : result.reason;
    },
  };
}
