import type { BackendPair, Side } from './backend-pair.js';
import { readerPaths } from './backend-pair.js';

/**
 * Everything a reader or an editor of one side can see, as plain data to
 * compare with toEqual: every feed in every format (bytes and ETag), each
 * story through the API (JSON and ETag), its versions list and each
 * version's bytes, the audit trail, and /healthz's rejected files and
 * warnings. Times a write was made at (versions, audit) are left out: the
 * two sides make each write a few milliseconds apart.
 */
export interface Observed {
  readonly feeds: Record<string, string>;
  readonly stories: Record<string, string>;
  readonly audit: readonly unknown[];
  readonly rejected: unknown;
  readonly warnings: unknown;
}

const withoutAt = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutAt);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'at').map(([key, item]) => [key, withoutAt(item)]));
};

const shown = (reply: { status: number; etag: string | null; text: string }, strip = false): string => {
  let body = reply.text;
  if (strip && reply.status === 200) body = JSON.stringify(withoutAt(JSON.parse(body)));
  return `${reply.status} ${reply.etag ?? '-'} ${body}`;
};

export async function observe(side: Side, ids: Iterable<string>, now: Date, feedPaths: readonly string[]): Promise<Observed> {
  const feeds: Record<string, string> = {};
  for (const path of feedPaths) feeds[path] = shown(await side.request(path, { key: null }));
  const stories: Record<string, string> = {};
  for (const id of [...new Set(ids)].sort()) {
    stories[id] = shown(await side.request(`/api/articles/${id}`));
    const versions = await side.request(`/api/articles/${id}/versions`);
    stories[`${id}/versions`] = shown(versions, true);
    if (versions.status !== 200) continue;
    for (const v of (JSON.parse(versions.text) as { versions: { version: number }[] }).versions) {
      stories[`${id}/versions/${v.version}`] = shown(await side.request(`/api/articles/${id}/versions/${v.version}`), true);
    }
  }
  const audit = (JSON.parse((await side.request('/api/audit')).text) as { entries: unknown[] }).entries.map(withoutAt);
  const health = JSON.parse((await side.request('/healthz', { key: null })).text) as { rejected: unknown; warnings: unknown };
  void now;
  return { feeds, stories, audit, rejected: health.rejected, warnings: health.warnings };
}

/** Both sides observed; the feeds are those either side offers now. */
export async function observeBoth(pair: BackendPair, ids: Iterable<string>): Promise<{ files: Observed; postgres: Observed }> {
  const now = pair.clock.now;
  const paths = [...new Set([...(await readerPaths(pair.files, now)), ...(await readerPaths(pair.postgres, now))])].sort();
  const list = [...ids];
  return { files: await observe(pair.files, list, now, paths), postgres: await observe(pair.postgres, list, now, paths) };
}
