import type { Logger } from 'pino';
import { jsonLinesOf } from './logger.js';

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

/** Writes one access-log line: at `info`, or at `error` for a 5xx; nothing when that level is off. */
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
      if (entry.status >= 500) logger.error(fieldsOf(entry), 'request failed');
      else logger.info(fieldsOf(entry), 'request');
    };
  }
  // pino's isoTime, made once per millisecond: under load many lines share one.
  let lastMs = -1;
  let lastTime = '';
  return (entry) => {
    const failed = entry.status >= 500;
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

function fieldsOf(entry: AccessEntry): Record<string, unknown> {
  const { requestId, method, path, status, bytes, durationMs, cache } = entry;
  return { requestId, method, path, status, ...(bytes === undefined ? {} : { bytes }), durationMs, cache };
}
