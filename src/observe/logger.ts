import { escapeLogText } from '../model/log-line.js';
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
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
    // Asynchronous writes (pino flushes them synchronously at process exit, so a fatal line before
    // process.exit is not lost): a synchronous write per access-log line halved the requests per
    // second a cached feed is served at (see docs/operations.md).
    const stream = (options.destination ?? pino.destination({ dest: 1, sync: false })) as DestinationStream;
    const logger = pino(settings, stream);
    // The access log writes its lines itself, in this exact format, to the same stream (http/observe-requests.ts).
    Object.defineProperty(logger, JSON_LINES, { value: stream });
    return logger;
  }
  const destination = options.destination ?? process.stdout;
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
