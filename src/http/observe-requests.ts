import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { FILTER_KINDS, KIND_FOLDER } from '../model/feed-filter.js';
import { FORMATS, SERVED_FORMATS } from '../render/render.js';
import { type Logger, jsonLinesOf } from '../observe/logger.js';
import type { Metrics, RequestLabels } from '../observe/metrics.js';
import { bodyBytesOf, cacheStatusOf, markRequestId, requestIdOf } from './reply.js';

export interface ObserveOptions {
  /** One access-log line per request when given. */
  readonly logger?: Logger;
  /** Request and cache counts when given. */
  readonly metrics?: Metrics;
  /** Readership counts (src/stats/counter.ts) when given: one call per finished response. */
  readonly readership?: ReadershipCount;
}

/** What the access hook tells the readership counter; `bytes` is the body sent (0 for a 304 or HEAD). */
export interface ReadershipCount {
  count(req: IncomingMessage, status: number, bytes: number): void;
}

/**
 * A request id from a proxy or load balancer is kept when it looks like an
 * id (letters, digits and a few separators, at most 128 characters), so one
 * request can be followed through every hop; anything else is replaced.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}

const FEED_FILES = new Map<string, string>(SERVED_FORMATS.map((format) => [FORMATS[format].fileName, format]));
const FOLDER_KINDS = new Map<string, string>(FILTER_KINDS.map((kind) => [KIND_FOLDER[kind], kind]));

/**
 * What a path asks for, as a metric label with a bounded set of values (a
 * label per slug or per query would grow without bound): `feed` for the
 * main feed, the filter kind for a filtered one, then `page`, `widget`,
 * `opml`, `asset`, `api`, `health`, `metrics`, `other`.
 */
export function classifyRequest(url: string): Pick<RequestLabels, 'kind' | 'format'> {
  const path = url.split('?', 1)[0] ?? '';
  const parts = path.split('/');
  const file = parts.at(-1) ?? '';
  const feedFormat = FEED_FILES.get(file);
  if (feedFormat !== undefined && parts.length === 2) return { kind: 'feed', format: feedFormat };
  const folderKind = FOLDER_KINDS.get(parts[1] ?? '');
  if (feedFormat !== undefined && parts.length === 4 && folderKind !== undefined) return { kind: folderKind, format: feedFormat };
  const kind =
    path === '/' || (folderKind !== undefined && parts.length === 4 && file === '')
      ? 'page'
      : path === '/embed' || path === '/embed.js'
        ? 'widget'
        : path === '/feeds.opml'
          ? 'opml'
          : parts[1] === 'assets'
            ? 'asset'
            : parts[1] === 'api'
              ? 'api'
              : path === '/healthz'
                ? 'health'
                : path === '/metrics'
                  ? 'metrics'
                  : 'other';
  return { kind, format: 'none' };
}

/** What the finish listener needs, kept on the response: one listener function for every request, no closure each. */
const OBSERVED = Symbol('wirefeed.observed');
interface Observed {
  readonly id: string;
  readonly started: number;
  readonly observer: Observer;
}
interface Observer {
  readonly log: AccessLog | undefined;
  readonly metrics: Metrics | undefined;
  readonly readership: ReadershipCount | undefined;
  /** Metric labels by path: a cached feed's path is classified once, not on every request. */
  readonly kinds: Map<string, Pick<RequestLabels, 'kind' | 'format'>>;
}
type ObservedResponse = ServerResponse & { [OBSERVED]?: Observed };

/** Paths whose labels are remembered; past this the memo starts again (paths are the client's to choose). */
const MAX_CLASSIFIED = 1024;

/**
 * Wraps the server's request listener (fast path included, so replayed
 * responses are seen too): gives each request an id, taken from
 * X-Request-Id when the client sent a usable one and echoed back in the
 * response (by the fast path, or echoRequestId at the head of the Express
 * app); writes one access-log line when the response is done (id, method,
 * path, status, bytes, duration, cache hit or miss); counts it.
 */
export function observeRequests(listener: RequestListener, options: ObserveOptions): RequestListener {
  const { logger, metrics, readership } = options;
  if (logger === undefined && metrics === undefined && readership === undefined) return listener;
  const observer: Observer = { log: logger === undefined ? undefined : createAccessLog(logger), metrics, readership, kinds: new Map() };
  return (req, res) => {
    const id = requestIdFor(req.headers['x-request-id']);
    (req as IncomingMessage & { id?: string }).id = id;
    // Not res.setHeader: a header set before writeHead sends every header of a replayed answer through setHeader.
    markRequestId(res, id);
    (res as ObservedResponse)[OBSERVED] = { id, started: performance.now(), observer };
    // `on`, not `once`: a response finishes once, and once wraps the listener in a new closure per request.
    res.on('finish', onFinish);
    listener(req, res);
  };
}

/** Express middleware, first in the app: echoes the request's id on every answer Express writes. */
export function echoRequestId(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const id = requestIdOf(res);
  if (id !== undefined) res.setHeader('X-Request-Id', id);
  next();
}

function onFinish(this: ObservedResponse): void {
  const res = this;
  const observed = res[OBSERVED];
  const req = res.req;
  if (observed === undefined) return;
  const { log, metrics, readership, kinds } = observed.observer;
  const cache = cacheStatusOf(res);
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (log !== undefined) {
    log({
      requestId: observed.id,
      method: req.method ?? '',
      path: req.url === undefined ? '' : path,
      status: res.statusCode,
      // Content-Length as sent; left out on the rare response streamed without one.
      bytes: req.method === 'HEAD' || res.statusCode === 304 ? 0 : bodyBytesOf(res),
      durationMs: Math.round((performance.now() - observed.started) * 1000) / 1000,
      cache: cache ?? 'none',
    });
  }
  readership?.count(req, res.statusCode, req.method === 'HEAD' || res.statusCode === 304 ? 0 : (bodyBytesOf(res) ?? 0));
  if (metrics !== undefined) {
    let labels = kinds.get(path);
    if (labels === undefined) {
      if (kinds.size >= MAX_CLASSIFIED) kinds.clear();
      kinds.set(path, (labels = classifyRequest(path)));
    }
    metrics.countRequest(labels.kind, labels.format, res.statusCode);
    if (cache !== undefined) metrics.countCache(cache);
  }
}

/** What one access-log line says about a finished response. */
export interface AccessEntry {
  readonly requestId: string;
  readonly method: string;
  /** The path without its query (cursors and filters can be long). */
  readonly path: string;
  readonly status: number;
  /** Body bytes sent; left out on the rare response streamed without a Content-Length. */
  readonly bytes: number | undefined;
  readonly durationMs: number;
  readonly cache: string;
}

/** Writes one access-log line: at `info`, or at `error` for a 5xx other than 503; nothing when that level is off. */
export type AccessLog = (entry: AccessEntry) => void;

const INFO = 30;
const ERROR = 50;

/**
 * The access log of one app. On the JSON destination it writes the line
 * itself, the same bytes pino would, straight to pino's stream: pino's
 * general serialiser (an object per line, its keys walked, a Date per line)
 * cost a cached 304 about a fifth of its rate, and this line is written for
 * every request. Everything else (the readable terminal output, a level
 * changed at run time) goes through pino as usual.
 */
export function createAccessLog(logger: Logger): AccessLog {
  const stream = jsonLinesOf(logger);
  if (stream === undefined) {
    return (entry) => {
      if (isFailure(entry.status)) logger.error(fieldsOf(entry), 'request failed');
      else logger.info(fieldsOf(entry), 'request');
    };
  }
  // pino's isoTime, made once per millisecond: under load many lines share one.
  let lastMs = -1;
  let lastTime = '';
  return (entry) => {
    const failed = isFailure(entry.status);
    if (logger.levelVal > (failed ? ERROR : INFO)) return;
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastTime = new Date(now).toISOString();
    }
    // Every string is JSON-encoded, so a newline or quote in a path or id cannot forge a line.
    const bytes = entry.bytes === undefined ? '' : `,"bytes":${entry.bytes}`;
    stream.write(
      `{"level":"${failed ? 'error' : 'info'}","time":"${lastTime}","requestId":${JSON.stringify(entry.requestId)},"method":${JSON.stringify(entry.method)},"path":${JSON.stringify(entry.path)},"status":${entry.status}${bytes},"durationMs":${entry.durationMs},"cache":${JSON.stringify(entry.cache)},"msg":"${failed ? 'request failed' : 'request'}"}\n`,
    );
  };
}

/**
 * A 503 is an answer, not a failure: the store is unreachable or still
 * loading, and Retry-After says when to come back. The outage is logged
 * once when it starts and once when it ends (DatabaseOutage in store/postgres/pool.ts);
 * at error level each 503 wrote about 9,500 lines per outage.
 */
function isFailure(status: number): boolean {
  return status >= 500 && status !== 503;
}

function fieldsOf(entry: AccessEntry): Record<string, unknown> {
  const { requestId, method, path, status, bytes, durationMs, cache } = entry;
  return { requestId, method, path, status, ...(bytes === undefined ? {} : { bytes }), durationMs, cache };
}
