import { escapeLogText } from '../model/log-line.js';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines (a terminal) instead of JSON lines (a log pipeline). */
  readonly pretty: boolean;
  /** Where lines go; standard output by default. Tests pass a collecting stream. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
}

const JSON_LINES = Symbol('wirefeed.jsonLines');

/**
 * The stream a JSON-lines logger made by createLogger writes to (level as a
 * name, ISO time, no pid or hostname); undefined for the readable terminal
 * output or any other logger.
 */
export function jsonLinesOf(logger: Logger): DestinationStream | undefined {
  return (logger as Logger & { [JSON_LINES]?: DestinationStream })[JSON_LINES];
}

/**
 * The process logger: one JSON object per line with `level` (a name, which
 * log pipelines index without a lookup table), `time` (ISO 8601) and `msg`.
 * Every value is written as a JSON string, so a newline or an escape
 * sequence in a path or a record cannot start a forged line. On a terminal
 * the same records are shown on one readable line each, with control
 * characters escaped for the same reason.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (!options.pretty) {
    const stream = (options.destination ?? bufferedStandardOutput()) as DestinationStream;
    const logger = pino(settings, options.destination === undefined ? writtenAtOnce(stream as ReturnType<typeof pino.destination>) : stream);
    // The access log writes its lines itself, in this exact format, to the same stream (http/observe-requests.ts).
    Object.defineProperty(logger, JSON_LINES, { value: stream });
    return logger;
  }
  const destination = options.destination ?? process.stdout;
  // Loaded only for a terminal: a server logging JSON lines (every deployment) saved ~60 ms of CPU at each start.
  const { PinoPretty } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const pretty = PinoPretty({
    destination: destination as NodeJS.WritableStream,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    colorize: (destination as { isTTY?: boolean }).isTTY === true,
    messageFormat: (log, messageKey) => escapeControls(String(log[messageKey] ?? '')),
  });
  // pino writes numeric levels to the pretty stream, which maps them to names itself.
  return pino({ ...settings, formatters: {} }, pretty);
}

/** Characters of log lines gathered before one write to standard output (16 KB: a sixtieth of a write per access line). */
const WRITE_AT_CHARS = 16_384;
/** The longest a line waits in the buffer when fewer than WRITE_AT_CHARS follow it (a quiet server). */
const WRITE_WITHIN_MS = 100;

/**
 * Standard output through a buffer in this thread: lines are gathered in
 * one string and written 16 KB at a time (or 100 ms after the first of
 * them) by one synchronous write, pino's own default. Each line written on
 * its own cost every request a write on a libuv thread and an eventfd
 * wake-up of the main thread (the access log took 39 % of a cached 304's
 * rate); sonic-boom's own buffering measured the byte length of its whole
 * buffer on every line and handed each block to the thread pool: about
 * 4.5 µs of CPU per line against 0.5 µs gathered here and written at once
 * (docs/performance.md). pino writes what is left when the process exits
 * (its exit hook calls flushSync on this destination), and flushLogs
 * empties it before a planned exit, so no line is lost when the server stops.
 */
function bufferedStandardOutput(): DestinationStream {
  const boom = pino.destination({ dest: 1, sync: true });
  const [write, flush, flushSync] = [boom.write.bind(boom), boom.flush.bind(boom), boom.flushSync.bind(boom)];
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const writePending = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const block = pending;
    pending = '';
    write(block);
  };
  boom.write = (line: string) => {
    pending += line;
    // A timer only while lines wait: an idle server makes no writes at all.
    if (pending.length >= WRITE_AT_CHARS) writePending();
    else timer ??= setTimeout(writePending, WRITE_WITHIN_MS).unref();
    return true;
  };
  boom.flush = (done?: (error?: Error) => void) => {
    writePending();
    flush(done);
  };
  boom.flushSync = () => {
    writePending();
    flushSync();
  };
  return boom;
}

/**
 * pino's own lines (start, load, warnings, errors: a few a minute) are
 * written at once rather than waiting for the buffer, so an operator or a
 * supervisor watching for "listening" sees it when it happens; only the
 * access log's lines, written to the buffer directly, wait.
 */
function writtenAtOnce(boom: ReturnType<typeof pino.destination>): DestinationStream & { flush(done?: (error?: Error) => void): void } {
  return {
    write: (line: string) => {
      boom.write(line);
      boom.flush();
    },
    flush: (done) => boom.flush(done),
  };
}

/**
 * Writes every buffered log line and resolves once they are out: called
 * before a planned process.exit (SIGTERM, SIGINT), so the last requests'
 * access lines reach the log.
 */
export function flushLogs(logger: Logger): Promise<void> {
  const stream = jsonLinesOf(logger) as (DestinationStream & Partial<Pick<ReturnType<typeof pino.destination>, 'flush' | 'flushSync'>>) | undefined;
  const { flush, flushSync } = stream ?? {};
  if (stream === undefined || flush === undefined || flushSync === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    // Waits for the write in flight (a synchronous write beside it could lose or reorder its lines),
    // then writes the rest at once: the caller exits in the same turn, before a timer could start another.
    // The callback's error is fsync's on a pipe or a terminal (EINVAL), after the bytes were written.
    flush.call(stream, () => {
      try {
        flushSync.call(stream);
      } finally {
        resolve();
      }
    });
  });
}

/** C0 and C1 controls, DEL and the line/paragraph separators as visible \u escapes. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The `log(line, level)` function the reloader, the WebSub publisher and the
 * app take, writing to `logger` (the line as `msg`, never interpolated into
 * the JSON).
 */
export function lineLogger(logger: Logger): (line: string, level?: 'info' | 'warn' | 'error') => void {
  // Escaped as well as JSON-encoded: the pretty output on a terminal would otherwise pass ESC and newlines through.
  return (line, level = 'info') => logger[level](escapeLogText(line));
}
