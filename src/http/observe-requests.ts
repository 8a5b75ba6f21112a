import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { FILTER_KINDS, KIND_FOLDER } from '../model/feed-filter.js';
import { FORMATS, SERVED_FORMATS } from '../render/render.js';
import { type Logger, jsonLinesOf } from '../observe/logger.js';
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
  count(req: IncomingMessage, status: number, bytes: number): void;
  /** The same, for a request whose path (no query) is already known: a replayed feed. */
  countPath(path: string, req: IncomingMessage, status: number, bytes: number): void;
}

/**
 * A request id from a proxy or load balancer is kept when it looks like an
 * id (letters, digits and a few separators, at most 128 characters), so one
 * request can be followed through every hop; anything else is replaced.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export function requestIdFor(header: string | string[] | undefined, make: () => string): string {
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : make();
}

/** A request id's last 7 hex digits count from 0x1000000 to 0xfffffff: always 7 digits, always a small integer. */
const ID_COUNT_FIRST = 0x1000000;
const ID_COUNT_END = 0x10000000;

/**
 * The request ids one app makes: UUIDs in the version 4 layout whose first
 * 25 hex digits are random and whose last 7 count up; after 251 million ids
 * the random part is drawn again. Unique within the process and, by the
 * random part (90 bits), across replicas and restarts. About 0.06 µs each
 * against crypto.randomUUID's 0.27 µs (which formats 16 fresh random
 * bytes), paid by every request; a count kept below 2^31 is formatted as a
 * small integer (a 48-bit one took 0.34 µs).
 */
export function requestIdMaker(firstCount = ID_COUNT_FIRST): () => string {
  let prefix = '';
  let count = ID_COUNT_END;
  let drawn = false;
  return () => {
    if (count === ID_COUNT_END || !drawn) {
      const random = randomBytes(16);
      random[6] = ((random[6] ?? 0) & 0x0f) | 0x40;
      random[8] = ((random[8] ?? 0) & 0x3f) | 0x80;
      const hex = random.toString('hex');
      prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 25)}`;
      count = drawn ? ID_COUNT_FIRST : Math.min(Math.max(firstCount, ID_COUNT_FIRST), ID_COUNT_END - 1);
      drawn = true;
    }
    return prefix + (count++).toString(16);
  };
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

/**
 * Writes one access-log line: at `info`, or at `error` for a 5xx other than
 * 503; nothing when that level is off. `prepare` and `replayed` write the
 * lines of an answer that repeats (a replayed feed): the fields that do not
 * change are encoded once, and each line adds only its time, request id and
 * duration.
 */
export interface AccessLog {
  (entry: AccessEntry): void;
  /** The fixed part of the lines of answers like `fixed`, for `replayed`. */
  prepare(fixed: Omit<AccessEntry, 'requestId' | 'durationMs'>): PreparedLine;
  /**
   * One line from a prepared part. `requestId` must be one requestIdFor
   * gave (letters, digits and `._:@/+=-` only: written without escaping);
   * `durationUs` in whole microseconds.
   */
  replayed(prepared: PreparedLine, requestId: string, durationUs: number): void;
}

/** An access line's fields that do not change between the answers it is prepared for. */
export interface PreparedLine {
  readonly level: number;
  /** From `"method"` up to `"durationMs":` (JSON destination). */
  readonly middle: string;
  /** From `,"cache"` to the end of the line (JSON destination). */
  readonly tail: string;
  readonly fixed: Omit<AccessEntry, 'requestId' | 'durationMs'>;
}

const INFO = 30;
const ERROR = 50;

/**
 * The decimal part of a duration in milliseconds, by its microseconds
 * (0–999), as JavaScript writes a number: "" for 0, ".5" for 500, ".012"
 * for 12. Formatting the rounded double itself cost about 0.3 µs a line.
 */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, us) => (us === 0 ? '' : `.${String(us).padStart(3, '0')}`.replace(/0+$/, '')));

/** Whole microseconds as milliseconds, exactly as `${Math.round(ms * 1000) / 1000}` writes them. */
export function formatDurationMs(durationUs: number): string {
  const ms = Math.floor(durationUs / 1000);
  return `${ms}${FRACTIONS[durationUs - ms * 1000]}`;
}

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
  const levelOf = (status: number): number => (isFailure(status) ? ERROR : INFO);
  if (stream === undefined) {
    const write = (entry: AccessEntry): void => {
      if (isFailure(entry.status)) logger.error(fieldsOf(entry), 'request failed');
      else logger.info(fieldsOf(entry), 'request');
    };
    return Object.assign(write, {
      prepare: (fixed: PreparedLine['fixed']): PreparedLine => ({ level: levelOf(fixed.status), middle: '', tail: '', fixed }),
      replayed: (prepared: PreparedLine, requestId: string, durationUs: number) => write({ ...prepared.fixed, requestId, durationMs: durationUs / 1000 }),
    });
  }
  // pino's isoTime, made once per millisecond: under load many lines share one. `infoStart` is an info
  // line's beginning up to the request id's opening quote.
  let lastMs = -1;
  let lastTime = '';
  let infoStart = '';
  const time = (): string => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      lastTime = new Date(now).toISOString();
      infoStart = `{"level":"info","time":"${lastTime}","requestId":"`;
    }
    return lastTime;
  };
  // Every string is JSON-encoded, so a newline or quote in a path or id cannot forge a line.
  const middleOf = (fixed: PreparedLine['fixed']): string =>
    `,"method":${JSON.stringify(fixed.method)},"path":${JSON.stringify(fixed.path)},"status":${fixed.status}${fixed.bytes === undefined ? '' : `,"bytes":${fixed.bytes}`},"durationMs":`;
  const tailOf = (fixed: PreparedLine['fixed']): string => `,"cache":${JSON.stringify(fixed.cache)},"msg":"${isFailure(fixed.status) ? 'request failed' : 'request'}"}\n`;
  const write = (entry: AccessEntry): void => {
    const failed = isFailure(entry.status);
    if (logger.levelVal > (failed ? ERROR : INFO)) return;
    stream.write(`{"level":"${failed ? 'error' : 'info'}","time":"${time()}","requestId":${JSON.stringify(entry.requestId)}${middleOf(entry)}${entry.durationMs}${tailOf(entry)}`);
  };
  return Object.assign(write, {
    prepare: (fixed: PreparedLine['fixed']): PreparedLine => ({ level: levelOf(fixed.status), middle: `"${middleOf(fixed)}`, tail: tailOf(fixed), fixed }),
    replayed: (prepared: PreparedLine, requestId: string, durationUs: number): void => {
      if (logger.levelVal > prepared.level) return;
      const at = time();
      const start = prepared.level === INFO ? infoStart : `{"level":"error","time":"${at}","requestId":"`;
      stream.write(start + requestId + prepared.middle + formatDurationMs(durationUs) + prepared.tail);
    },
  });
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
