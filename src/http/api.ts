import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { ID_PATTERN } from '../load/article.js';
import type { ArticleError } from '../load/errors.js';
import type { Article } from '../model/types.js';
import { isVisible } from '../model/feed-query.js';
import { StoreConflictError, StoreRecordError, StoreUnavailableError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';

/** The ingest API's settings; the API exists only when they are given (INGEST_TOKEN set). */
export interface IngestOptions {
  /** Shared secret; clients send `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Largest request body accepted (413 above it). */
  readonly maxBytes: number;
}

/** What GET /api/articles?status= can ask for. */
const STATUS_FILTERS = ['all', 'published', 'draft', 'embargoed'] as const;
type ArticleState = 'published' | 'draft' | 'embargoed';

/** A record's state at `now`: drafts; published but not yet visible (embargoed); visible. */
function stateOf(article: Pick<Article, 'status' | 'published'>, now: Date): ArticleState {
  if (article.status === 'draft') return 'draft';
  return isVisible(article, now) ? 'published' : 'embargoed';
}

function tooLargeMessage(maxBytes: number): string {
  return `The body is larger than ${maxBytes} bytes (INGEST_MAX_BYTES); nothing was written.`;
}

/** A problem list in the API's error bodies. */
function problemsOf(errors: readonly ArticleError[]): ReturnType<ArticleError['toJSON']>[] {
  return errors.map((e) => e.toJSON());
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
  // Digests have equal length whatever the token lengths, as timingSafeEqual requires, and hide the token's length.
  const expected = createHash('sha256').update(options.token, 'utf8').digest();

  router.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    const match = /^Bearer +([^\s]+) *$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      throw new HttpError(401, 'This API needs "Authorization: Bearer <token>" (the INGEST_TOKEN the server was started with).', {
        'WWW-Authenticate': 'Bearer realm="wirefeed ingest"',
      });
    }
    const given = createHash('sha256').update(match[1] as string, 'utf8').digest();
    if (!timingSafeEqual(given, expected)) throw new HttpError(403, 'The bearer token is not the one this server accepts.');
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
    const article = await store.article(id);
    if (!article) throw new HttpError(404, `No article with id ${JSON.stringify(id)}.`);
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
      const result = await store.put(id, body);
      if (result.created) res.setHeader('Location', `${req.baseUrl}/articles/${id}`);
      res.status(result.created ? 201 : 200).json({ ...view(result.article, clock()), warnings: problemsOf(result.warnings) });
    },
  );

  router.delete('/articles/:id', async (req, res) => {
    const id = articleId(req);
    if (!(await store.remove(id))) throw new HttpError(404, `No article with id ${JSON.stringify(id)}.`);
    res.status(204).end();
  });

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

  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (error instanceof StoreRecordError) {
      res.status(400).json({ error: error.message, problems: problemsOf(error.problems) });
      return;
    }
    if (error instanceof StoreConflictError) {
      res.status(409).json({ error: error.message });
      return;
    }
    if (error instanceof StoreUnavailableError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res.status(503).json({ error: `${error.message}; nothing was written, try again shortly.` });
      return;
    }
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.status(error.status).json({ error: error.message });
      return;
    }
    // body-parser's errors: entity.too.large (413), encoding.unsupported (415), request.aborted (400)…
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      res.setHeader('Connection', 'close');
      res.status(413).json({ error: tooLargeMessage(options.maxBytes) });
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: (error as Error).message });
      return;
    }
    next(error);
  };
  router.use(onError);
  return router;
}

