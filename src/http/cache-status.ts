import type { ServerResponse } from 'node:http';

/** Whether a response came from the rendered-feed cache (`hit`) or was rendered for it (`miss`). */
export type CacheStatus = 'hit' | 'miss';

/** Kept on the response object itself, so nothing outlives the request and two apps share nothing. */
const CACHE_STATUS = Symbol('wirefeed.cacheStatus');

type Marked = ServerResponse & { [CACHE_STATUS]?: CacheStatus };

/** Recorded by the feed route and the fast path; read by the access log and the metrics. */
export function markCacheStatus(res: ServerResponse, status: CacheStatus): void {
  (res as Marked)[CACHE_STATUS] = status;
}

/** undefined for responses that are not cached feeds (pages, the API, errors before the cache). */
export function cacheStatusOf(res: ServerResponse): CacheStatus | undefined {
  return (res as Marked)[CACHE_STATUS];
}
