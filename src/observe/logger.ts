import { writeSync } from 'node:fs';
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
    const logger = pino(settings, options.destination === undefined ? writtenAtOnce(stream as FlushableStream) : stream);
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

/** Bytes of log lines gathered before one write to standard output (16 KB: a sixtieth of a write per access line). */
const WRITE_AT_BYTES = 16_384;
/** The longest a line waits in the buffer when fewer than WRITE_AT_BYTES follow it (a quiet server). */
const WRITE_WITHIN_MS = 100;
/** The buffer: a line is encoded into it whole, so it holds WRITE_AT_BYTES and the longest line that fits beside them. */
const BUFFER_BYTES = 64 * 1024;

/** What pino's exit hook and flushLogs call on a destination, beside write. */
interface FlushableStream extends DestinationStream {
  flush(done?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * Standard output through a buffer in this thread: each line is encoded as
 * UTF-8 into one reused 64 KB buffer, and the buffer is written 16 KB at a
 * time (or 100 ms after the first waiting line) by one synchronous write,
 * pino's own default. Each line written on its own cost every request a
 * write on a libuv thread and an eventfd wake-up of the main thread (the
 * access log took 39 % of a cached 304's rate); sonic-boom's own buffering
 * measured the byte length of its whole buffer on every line and handed
 * each block to the thread pool; a string gathered in front of sonic-boom's
 * synchronous write still cost 0.63 µs a line (the string appended to,
 * flattened, measured and encoded again at each write), against 0.16 µs
 * encoded straight into the buffer (docs/performance.md). A write that
 * finds standard output full (EAGAIN, a non-blocking pipe) waits a
 * millisecond and tries again, as sonic-boom does; nothing is dropped. What
 * is left is written when the process exits, however it exits, and
 * flushLogs empties the buffer before a planned exit.
 */
function bufferedStandardOutput(fd = 1): FlushableStream & { readonly writes: number } {
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let length = 0;
  let timer: NodeJS.Timeout | undefined;
  // Standard output closed by its reader (EPIPE): logging stops there, as pino's own destination does.
  let closed = false;
  let writes = 0;
  const out = (bytes: Uint8Array): void => {
    try {
      writes += 1;
      writeFully(fd, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      closed = true;
    }
  };
  const writeOut = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (length === 0) return;
    const bytes = buffer.subarray(0, length);
    length = 0;
    out(bytes);
  };
  const write = (line: string): boolean => {
    if (closed) return true;
    // A line that could not fit whatever it encodes to (3 bytes a UTF-16 unit at most) goes out on its own.
    if (line.length * 3 > BUFFER_BYTES - WRITE_AT_BYTES) {
      writeOut();
      out(Buffer.from(line, 'utf8'));
      return true;
    }
    length += buffer.write(line, length, 'utf8');
    // A timer only while lines wait: an idle server makes no writes at all.
    if (length >= WRITE_AT_BYTES) writeOut();
    else timer ??= setTimeout(writeOut, WRITE_WITHIN_MS).unref();
    return true;
  };
  process.on('exit', writeOut);
  return {
    write,
    flush: (done) => {
      writeOut();
      done?.();
    },
    flushSync: writeOut,
    /** Blocks written so far (tests count them). */
    get writes() {
      return writes;
    },
  };
}

/** Writes all of `bytes` to `fd`, synchronously: a short write goes on with the rest, a full pipe (EAGAIN) is waited for. */
function writeFully(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/**
 * pino's own lines (start, load, warnings, errors: a few a minute) are
 * written at once rather than waiting for the buffer, so an operator or a
 * supervisor watching for "listening" sees it when it happens; only the
 * access log's lines, written to the buffer directly, wait.
 */
function writtenAtOnce(buffered: FlushableStream): FlushableStream {
  return {
    write: (line: string) => {
      buffered.write(line);
      buffered.flushSync();
    },
    flush: (done) => buffered.flush(done),
    flushSync: () => buffered.flushSync(),
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
