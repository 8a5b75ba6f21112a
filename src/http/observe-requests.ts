import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { FILTER_KINDS, KIND_FOLDER } from '../model/feed-filter.js';
import { FORMATS, SERVED_FORMATS } from '../render/render.js';
import type { Logger } from '../observe/logger.js';
import { createAccessLog, type AccessLog, type PreparedLine } from './access-log.js';
import { requestIdFor, requestIdMaker } from './request-ids.js';
import type { Metrics, RequestLabels } from '../observe/metrics.js';
import type { FastPath, ReplayOutcome } from './fast-path.js';
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
  /** One finished response to `path`, the request's path without its query. */
  countPath(path: string, req: IncomingMessage, status: number, bytes: number): void;
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
  /** What is written of a replayed answer, prepared once per way a replay answers (fast-path.ts's outcomes). */
  readonly replays: WeakMap<ReplayOutcome, PreparedReplay>;
}

/** An access line's fixed parts and the metric labels of one replay outcome. */
interface PreparedReplay {
  readonly line: PreparedLine | undefined;
  readonly labels: Pick<RequestLabels, 'kind' | 'format'>;
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
export function observeRequests(listener: RequestListener, options: ObserveOptions, fastPath?: FastPath): RequestListener {
  const { logger, metrics, readership } = options;
  if (logger === undefined && metrics === undefined && readership === undefined) return fastPath === undefined ? listener : fastPath.listener(listener);
  const observer: Observer = { log: logger === undefined ? undefined : createAccessLog(logger), metrics, readership, kinds: new Map(), replays: new WeakMap() };
  const makeId = requestIdMaker();
  return (req, res) => {
    const started = performance.now();
    const sent = req.headers['x-request-id'];
    const id = sent === undefined ? makeId() : requestIdFor(sent, makeId);
    // A replayed answer is complete when tryServe returns (res.end was called): it is observed at once,
    // from what its outcome says, with no finish listener and nothing kept on the response.
    const replayed = fastPath?.tryServe(req, res, id);
    if (replayed !== undefined) {
      observeReplay(observer, req, replayed, id, started);
      return;
    }
    (req as IncomingMessage & { id?: string }).id = id;
    // Not res.setHeader: a header set before writeHead goes through node's slow path for every header.
    markRequestId(res, id);
    (res as ObservedResponse)[OBSERVED] = { id, started, observer };
    // `on`, not `once`: a response finishes once, and once wraps the listener in a new closure per request.
    res.on('finish', onFinish);
    listener(req, res);
  };
}

/** The access line and counts of a replayed answer; its fixed parts are prepared on the first replay of each outcome. */
function observeReplay(observer: Observer, req: IncomingMessage, outcome: ReplayOutcome, id: string, started: number): void {
  const { log, metrics, readership, replays } = observer;
  let prepared = replays.get(outcome);
  if (prepared === undefined) {
    prepared = { line: log?.prepare({ method: outcome.method, path: outcome.path, status: outcome.status, bytes: outcome.bytes, cache: 'hit' }), labels: labelsOf(observer, outcome.path) };
    replays.set(outcome, prepared);
  }
  if (prepared.line !== undefined) log?.replayed(prepared.line, id, Math.round((performance.now() - started) * 1000));
  readership?.countPath(outcome.path, req, outcome.status, outcome.bytes);
  if (metrics !== undefined) {
    metrics.countRequest(prepared.labels.kind, prepared.labels.format, outcome.status);
    metrics.countCache('hit');
  }
}

/** A path's metric labels, classified once per path (up to MAX_CLASSIFIED paths, then afresh). */
function labelsOf(observer: Observer, path: string): Pick<RequestLabels, 'kind' | 'format'> {
  const { kinds } = observer;
  let labels = kinds.get(path);
  if (labels === undefined) {
    if (kinds.size >= MAX_CLASSIFIED) kinds.clear();
    kinds.set(path, (labels = classifyRequest(path)));
  }
  return labels;
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
  const { observer } = observed;
  const { log, metrics, readership } = observer;
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
  readership?.countPath(path, req, res.statusCode, req.method === 'HEAD' || res.statusCode === 304 ? 0 : (bodyBytesOf(res) ?? 0));
  if (metrics !== undefined) {
    const labels = labelsOf(observer, path);
    metrics.countRequest(labels.kind, labels.format, res.statusCode);
    if (cache !== undefined) metrics.countCache(cache);
  }
}

