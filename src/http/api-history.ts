import express, { type Request, type Response } from 'express';
import { instantParam } from '../query/resolve-feed.js';
import type { Store } from '../store/store.js';
import type { RefusalTally } from './anonymous-refusals.js';
import { versionFacts } from '../store/versions.js';
import { keyOf, writeOptionsOf } from './api-write-context.js';
import { HttpError } from './errors.js';

/** Audit entries one request returns at most; `next` continues from the last. */
const AUDIT_PAGE = 1000;

export interface HistoryRouteOptions {
  readonly requireIfMatch: boolean;
  /** Checks the :id parameter (400 when it is not an article id). */
  readonly articleId: (req: Request) => string;
  /** The article as the API shows it. */
  readonly view: (article: import('../model/types.js').Article) => Record<string, unknown>;
  /** Refusals without a key, tallied per minute; the minutes that are over are written before the audit is read. */
  readonly anonymous: RefusalTally;
}

/** The largest version number accepted (nine digits). */
const MAX_VERSION = 999_999_999;

function versionNumber(raw: unknown): number {
  const text = typeof raw === 'string' ? raw : '';
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new HttpError(400, `A version is a whole number from 1, got ${JSON.stringify(text.slice(0, 50))}.`);
  return Number(text);
}

/**
 * A kept record as the API shows it: `record`, the JSON (null for a
 * deletion). A file the loader rejected is kept as its text, which may not
 * be JSON: then `record` is null and `text` holds it as saved.
 */
function recordFields(record: string | null): { record: unknown; text?: string } {
  if (record === null) return { record: null };
  try {
    return { record: JSON.parse(record) as unknown };
  } catch {
    return { record: null, text: record };
  }
}

/** The version a restore names: ?version=n, or a JSON body {"version": n}. */
function restoreTarget(req: Request): number {
  if (req.query.version !== undefined) return versionNumber(req.query.version);
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'The body is not JSON; send {"version": n} or ?version=n.');
    }
    const version = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { version?: unknown }).version : undefined;
    // A JSON number only: String() of an object can throw (a 500), and [1] or "1" would pass as 1.
    if (typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= MAX_VERSION) return version;
    if (version !== undefined) throw new HttpError(400, `"version" must be a whole number from 1 (a JSON number), got ${JSON.stringify(version)?.slice(0, 50) ?? typeof version}.`);
  }
  throw new HttpError(400, 'Name the version to restore: POST /api/articles/{id}/restore?version=n, or the body {"version": n}.');
}

/**
 * The history routes under /api: an article's versions, one version, a
 * restore (a new version with an old record, which also undoes a DELETE),
 * and the audit trail for keys that may read it.
 */
export function addHistoryRoutes(router: express.Router, store: Store, options: HistoryRouteOptions): void {
  router.get('/articles/:id/versions', async (req: Request, res: Response) => {
    const id = options.articleId(req);
    const versions = await store.history.versions(id);
    if (versions.length === 0 && !(await store.article(id))) throw new HttpError(404, `No article with id ${JSON.stringify(id)}, and no kept version of one.`);
    res.status(200).json({ id, count: versions.length, versions: versions.map(versionFacts) });
  });

  router.get('/articles/:id/versions/:n', async (req: Request, res: Response) => {
    const id = options.articleId(req);
    const n = versionNumber(req.params.n);
    const version = await store.history.version(id, n);
    if (!version) throw new HttpError(404, `Article ${JSON.stringify(id)} has no kept version ${n}; see /api/articles/${id}/versions.`);
    if (version.etag) res.setHeader('ETag', version.etag);
    res.status(200).json({ id, ...versionFacts(version), ...recordFields(version.record) });
  });

  router.post('/articles/:id/restore', express.raw({ type: () => true, limit: 1024 }), async (req: Request, res: Response) => {
    const id = options.articleId(req);
    const n = restoreTarget(req);
    const target = await store.history.version(id, n);
    if (!target) throw new HttpError(404, `Article ${JSON.stringify(id)} has no kept version ${n}; see /api/articles/${id}/versions.`);
    if (target.record === null) throw new HttpError(409, `Version ${n} of ${JSON.stringify(id)} is its deletion; restore the version before it.`);
    // creating: If-None-Match: * is how a restore of a deleted story (which has no ETag) meets REQUIRE_IF_MATCH.
    const result = await store.restore(id, n, writeOptionsOf(req, res, { requireIfMatch: options.requireIfMatch, creating: true }));
    if (!result) throw new HttpError(404, `Article ${JSON.stringify(id)} has no kept version ${n}.`);
    if (result.etag) res.setHeader('ETag', result.etag);
    if (result.version !== undefined) res.setHeader('Wirefeed-Version', String(result.version));
    res.status(result.created ? 201 : 200).json({ ...options.view(result.article), restoredFrom: n });
  });

  router.get('/audit', async (req: Request, res: Response) => {
    const key = keyOf(res);
    if (key && !key.audit) throw new HttpError(403, `Key "${key.id}" lacks the scope audit: it may not read the audit trail.`);
    // The feeds' strict reading: 2026-02-30, 2026-01-01junk and an out-of-range offset are 400s, a time without an offset is UTC.
    const since = instantParam(req.query, 'since') ?? new Date(0);
    await options.anonymous.flushEnded();
    const entries = await store.history.auditSince(since, AUDIT_PAGE);
    const last = entries[entries.length - 1];
    res.status(200).json({ since: since.toISOString(), count: entries.length, entries, ...(entries.length === AUDIT_PAGE && last ? { next: last.at.toISOString() } : {}) });
  });
}
