import { type Logger, jsonLinesOf } from '../observe/logger.js';

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
