import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { ID_PATTERN, parseArticle } from '../load/article.js';
import { DuplicateIdError, type ArticleError } from '../load/errors.js';
import { decodeJson, displayName } from '../load/files.js';
import { ARTICLES_DIR } from '../load/load-data.js';
import { removeFileDurable, writeFileAtomic } from '../load/write.js';
import type { Article } from '../model/types.js';
import { isVisible } from '../query/select.js';
import type { Snapshot } from '../store/snapshot.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';

/** The ingest API's settings; the API exists only when they are given (INGEST_TOKEN set). */
export interface IngestOptions {
  /** Shared secret; clients send `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Largest request body accepted (413 above it). */
  readonly maxBytes: number;
  /** DATA_DIR: records are written to its `articles/` folder. */
  readonly dataDir: string;
  /**
   * Re-reads the named article files and swaps in a new snapshot: the same
   * path a file change takes. Resolves when the change is being served.
   */
  readonly reload: (fileNames: readonly string[]) => Promise<void>;
}

/** What GET /api/articles?status= can ask for. */
const STATUS_FILTERS = ['all', 'published', 'draft', 'embargoed'] as const;
type ArticleState = 'published' | 'draft' | 'embargoed';

/** A record's state at `now`: drafts; published but not yet visible (embargoed); visible. */
function stateOf(article: Article, now: Date): ArticleState {
  if (article.status === 'draft') return 'draft';
  return isVisible(article, now) ? 'published' : 'embargoed';
}

/** The file name inside `articles/` an article was loaded from. */
function fileNameOf(article: Article): string {
  return article.source.slice(article.source.lastIndexOf('/') + 1);
}

function tooLargeMessage(maxBytes: number): string {
  return `The body is larger than ${maxBytes} bytes (INGEST_MAX_BYTES); nothing was written.`;
}

/** A problem list in the API's error bodies. */
function problemsOf(errors: readonly ArticleError[]): ReturnType<ArticleError['toJSON']>[] {
  return errors.map((e) => e.toJSON());
}

/** An HttpError that also carries the record's problems. */
class RecordRejected extends HttpError {
  constructor(
    message: string,
    readonly problems: readonly ArticleError[],
  ) {
    super(400, message);
  }
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
 * GET /articles?status=. Writes go to `articles/<id>.json` (or the file the
 * id already lives in) durably and atomically, then through the reloader, so
 * the response comes after the change is on disk and in the feeds.
 */
export function createIngestRouter(store: Store, options: IngestOptions, clock: () => Date): express.Router {
  const router = express.Router();
  const articlesDir = join(options.dataDir, ARTICLES_DIR);
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

  // Writes run one at a time, so two requests for one id cannot interleave their file choice, write and reload.
  let writing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = writing.then(work);
    writing = result.catch(() => undefined);
    return result;
  };

  const articleId = (req: Request): string => {
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id) || id.length > 200) {
      throw new HttpError(400, `An article id is lowercase letters, digits and single '-' between them, got ${JSON.stringify(id.slice(0, 200))}.`);
    }
    return id;
  };

  const view = (article: Article, now: Date) => ({ ...article, state: stateOf(article, now) });

  router.get('/articles', (req, res) => {
    const status = req.query.status === undefined ? 'all' : String(req.query.status);
    if (!(STATUS_FILTERS as readonly string[]).includes(status)) {
      throw new HttpError(400, `status must be one of ${STATUS_FILTERS.join(', ')}, got ${JSON.stringify(status.slice(0, 100))}.`);
    }
    const now = clock();
    const snapshot = store.current();
    const articles = snapshot.articles
      .filter((a) => status === 'all' || stateOf(a, now) === status)
      .map((a) => ({ id: a.id, headline: a.headline, state: stateOf(a, now), published: a.published, updated: a.updated, url: a.url, source: a.source }));
    res.status(200).json({ status, version: snapshot.version, count: articles.length, articles });
  });

  router.get('/articles/:id', (req, res) => {
    const id = articleId(req);
    const article = store.current().byId.get(id);
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
      const result = await exclusive(async () => {
        const snapshot = store.current();
        const name = fileFor(snapshot, id);
        if (typeof name !== 'string') throw new HttpError(409, `The file ${name.conflict} holds article ${JSON.stringify(name.holder)}; it cannot also hold ${JSON.stringify(id)}.`);
        const shownAs = displayName(options.dataDir, ARTICLES_DIR, name);
        const decoded = decodeJson(body, shownAs);
        if (!decoded.ok) throw new RecordRejected('The body is not a JSON record.', [decoded.error]);
        const record = decoded.value;
        if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
          const bodyId = (record as Record<string, unknown>).id;
          if (bodyId !== undefined && bodyId !== id) {
            throw new HttpError(400, `The id in the path (${JSON.stringify(id)}) and in the body (${JSON.stringify(bodyId)}) disagree.`);
          }
        }
        const parsed = parseArticle(record, shownAs, { language: snapshot.site.language });
        if (!parsed.article) throw new RecordRejected(`The record has ${parsed.errors.length} problem(s); nothing was written.`, parsed.errors);
        const created = !snapshot.byId.has(id) && !existsSync(join(articlesDir, name));
        await writeFileAtomic(articlesDir, name, `${JSON.stringify(record, null, 2)}\n`);
        await options.reload([name]);
        return { created, warnings: parsed.warnings };
      });
      const article = store.current().byId.get(id);
      if (result.created) res.setHeader('Location', `${req.baseUrl}/articles/${id}`);
      res.status(result.created ? 201 : 200).json({
        ...(article ? view(article, clock()) : { id }),
        warnings: problemsOf(result.warnings),
      });
    },
  );

  router.delete('/articles/:id', async (req, res) => {
    const id = articleId(req);
    const outcome = await exclusive(async () => {
      const names = filesCarrying(store.current(), id);
      if (names.length === 0) return { found: false as const };
      for (const name of names) await removeFileDurable(articlesDir, name);
      await options.reload(names);
      return { found: true as const, still: store.current().byId.get(id) };
    });
    if (!outcome.found) throw new HttpError(404, `No article with id ${JSON.stringify(id)}.`);
    // A file written with this id between the removal and the reload would bring it back: say so rather than claim a retraction.
    if (outcome.still) throw new HttpError(409, `Article ${JSON.stringify(id)} is still served, from ${outcome.still.source}, which was written meanwhile; delete again.`);
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
    if (error instanceof RecordRejected) {
      res.status(400).json({ error: error.message, problems: problemsOf(error.problems) });
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

/**
 * Every file a retraction of `id` must remove: the one it is served from and
 * the files refused as its duplicates, which would otherwise become the live
 * version once the first is gone. Empty when no article has that id (a file
 * merely named `<id>.json` may hold another article, and is not touched).
 */
export function filesCarrying(snapshot: Snapshot, id: string): string[] {
  const served = snapshot.byId.get(id);
  if (!served) return [];
  const twins = snapshot.rejected.filter((e): e is DuplicateIdError => e instanceof DuplicateIdError && e.id === id).map((e) => e.fileName);
  return [fileNameOf(served), ...twins];
}

/**
 * The file an id is written to: the one it is served from, else `<id>.json`;
 * a conflict when `<id>.json` holds another article.
 */
function fileFor(snapshot: Snapshot, id: string): string | { conflict: string; holder: string } {
  const existing = snapshot.byId.get(id);
  if (existing) return fileNameOf(existing);
  const name = `${id}.json`;
  const holder = snapshot.articles.find((a) => fileNameOf(a) === name);
  return holder ? { conflict: holder.source, holder: holder.id } : name;
}
