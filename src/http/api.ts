import express, { type NextFunction, type Request, type Response } from 'express';
import { buildOpenApiDocument, OPENAPI_PATH } from '../api-description/openapi.js';
import { readRecordSchema } from '../api-description/record-schema.js';
import { ID_PATTERN } from '../load/article.js';
import type { Article } from '../model/types.js';
import { isVisible } from '../model/feed-query.js';
import type { Store } from '../store/store.js';
import { createRefusalTally } from './anonymous-refusals.js';
import { apiErrorHandler, problemsOf, tooLargeMessage } from './api-errors.js';
import { addHistoryRoutes } from './api-history.js';
import { acceptedKeys, findKey, type ApiKey } from './api-keys.js';
import { writeOptionsOf } from './api-write-context.js';
import { HttpError } from './errors.js';
import { addStatsRoute } from './api-stats.js';
import type { StatsStore } from '../stats/day-stats.js';

/** The ingest API's settings; the API exists only when they are given (INGEST_TOKEN or KEYS_FILE set). */
export interface IngestOptions {
  /** INGEST_TOKEN: one unscoped key; clients send `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** KEYS_FILE's scoped keys (api-keys.ts). */
  readonly keys?: readonly ApiKey[];
  /** Largest request body accepted (413 above it). */
  readonly maxBytes: number;
  /** REQUIRE_IF_MATCH: writes over a stored story must name its ETag (428 without). */
  readonly requireIfMatch?: boolean;
  /** Where a failure to write the audit trail is reported. */
  readonly log?: (line: string) => void;
  /** Readership counts, read by GET /api/stats (api-stats.ts). */
  readonly stats?: StatsStore;
}

/** What GET /api/articles?status= can ask for. */
const STATUS_FILTERS = ['all', 'published', 'draft', 'embargoed'] as const;
type ArticleState = 'published' | 'draft' | 'embargoed';

/** A record's state at `now`: drafts; published but not yet visible (embargoed); visible. */
function stateOf(article: Pick<Article, 'status' | 'published'>, now: Date): ArticleState {
  if (article.status === 'draft') return 'draft';
  return isVisible(article, now) ? 'published' : 'embargoed';
}

/** JSON and `+json` media types, in UTF-8 (the default for JSON) when a charset is given. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) return false;
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

/**
 * The ingest API, mounted at /api: PUT, GET and DELETE /articles/:id and
 * GET /articles?status=. Writes go through the store, which answers once the
 * change is stored and served (see store/files/file-writes.ts and store/postgres/).
 */
export function createIngestRouter(store: Store, options: IngestOptions, clock: () => Date): express.Router {
  const router = express.Router();
  const keys = acceptedKeys(options.keys ?? [], options.token);
  const requireIfMatch = options.requireIfMatch ?? false;
  const log = options.log ?? ((line: string) => console.error(line));
  const anonymous = createRefusalTally({ write: (entry) => store.history.audit(entry), clock, log });

  // The description, open to all (it holds no secret), so a client can be generated before a key is issued.
  const recordSchema = readRecordSchema();
  router.get(OPENAPI_PATH, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json(buildOpenApiDocument({ prefix: req.baseUrl.replace(/\/api$/, ''), recordSchema }));
  });

  // Step 1: the key. Its id (never the secret) goes with the request to the scope checks and the audit trail.
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    const match = /^Bearer +([^\s]+) *$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      throw new HttpError(401, 'This API needs "Authorization: Bearer <key>" (INGEST_TOKEN, or a key from KEYS_FILE).', {
        'WWW-Authenticate': 'Bearer realm="wirefeed ingest"',
      });
    }
    const key = findKey(keys, match[1] as string);
    if (!key) throw new HttpError(403, 'The bearer token is not a key this server accepts.');
    res.locals.apiKey = key;
    next();
  });

  const articleId = (req: Request): string => {
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id) || id.length > 200) {
      throw new HttpError(400, `An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`);
    }
    return id;
  };

  const view = (article: Article, now: Date) => ({ ...article, state: stateOf(article, now) });

  router.get('/articles', async (req, res) => {
    const status = req.query.status === undefined ? 'all' : String(req.query.status);
    if (!(STATUS_FILTERS as readonly string[]).includes(status)) {
      throw new HttpError(400, `status must be one of ${STATUS_FILTERS.join(', ')}, got ${JSON.stringify(status.slice(0, 100))}.`);
    }
    const now = clock();
    const version = store.version();
    const articles = (await store.summaries())
      .map((a) => ({ id: a.id, headline: a.headline, state: stateOf(a, now), published: a.published, updated: a.updated, url: a.url, source: a.source }))
      .filter((a) => status === 'all' || a.state === status);
    res.status(200).json({ status, version, count: articles.length, articles });
  });

  router.get('/articles/:id', async (req, res) => {
    const id = articleId(req);
    const [article, etag] = await Promise.all([store.article(id), store.etag(id)]);
    if (!article) throw new HttpError(404, `No article with id ${JSON.stringify(id)}.`);
    // The ETag to send back in If-Match when saving an edit of this story.
    if (etag) res.setHeader('ETag', etag);
    res.status(200).json(view(article, clock()));
  });

  const readBody = express.raw({ type: () => true, limit: options.maxBytes });
  router.put(
    '/articles/:id',
    (req, _res, next) => {
      articleId(req);
      // Refused on the declared length, before any body byte is read: waiting for 999,999,999 bytes would only end in a timeout.
      const declared = Number(req.get('content-length'));
      if (Number.isFinite(declared) && declared > options.maxBytes) throw new HttpError(413, tooLargeMessage(options.maxBytes), { Connection: 'close' });
      if (!isJsonContentType(req.get('content-type'))) {
        throw new HttpError(415, `Send the record as "Content-Type: application/json" (UTF-8), got ${JSON.stringify((req.get('content-type') ?? 'none').slice(0, 100))}.`);
      }
      next();
    },
    readBody,
    async (req, res) => {
      const id = articleId(req);
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new HttpError(400, 'The request has no body; send the article record as JSON.');
      const result = await store.put(id, body, writeOptionsOf(req, res, { requireIfMatch, creating: true }));
      if (result.created) res.setHeader('Location', `${req.baseUrl}/articles/${id}`);
      if (result.etag) res.setHeader('ETag', result.etag);
      if (result.version !== undefined) res.setHeader('Wirefeed-Version', String(result.version));
      res.status(result.created ? 201 : 200).json({ ...view(result.article, clock()), warnings: problemsOf(result.warnings, body) });
    },
  );

  router.delete('/articles/:id', async (req, res) => {
    const id = articleId(req);
    const key = res.locals.apiKey as ApiKey | undefined;
    if (key && !key.delete) throw new HttpError(403, `Key "${key.id}" lacks the scope delete: it may not delete stories.`);
    if (!(await store.remove(id, writeOptionsOf(req, res, { requireIfMatch, creating: false })))) throw new HttpError(404, `No article with id ${JSON.stringify(id)}.`);
    res.status(204).end();
  });

  if (options.stats) addStatsRoute(router, options.stats, clock);
  addHistoryRoutes(router, store, { requireIfMatch, articleId, view: (article) => view(article, clock()), anonymous });

  router.all('/articles/:id', (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD, PUT, DELETE');
    throw new HttpError(405, 'Use GET, PUT or DELETE on /api/articles/:id.');
  });
  router.all('/articles', (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD');
    throw new HttpError(405, 'Use GET on /api/articles, and PUT /api/articles/:id to add an article.');
  });
  router.use((req) => {
    throw new HttpError(404, `No API endpoint ${req.method} ${req.baseUrl}${req.path.slice(0, 200)}; see /api/articles.`);
  });

  router.use(apiErrorHandler(store, { maxBytes: options.maxBytes, log, clock, anonymous }));
  return router;
}

