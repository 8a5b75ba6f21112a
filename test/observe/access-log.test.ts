import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessEntry } from '../../src/http/observe-requests.js';
import { createLogger } from '../../src/observe/logger.js';

function sink(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _e, done) => void ((text += chunk.toString()), done()) });
  return { stream, lines: () => (text === '' ? [] : text.replace(/\n$/, '').split('\n')) };
}

const entry = (overrides: Partial<AccessEntry> = {}): AccessEntry => ({ requestId: 'edge-1', method: 'GET', path: '/rss.xml', status: 304, bytes: 0, durationMs: 0.125, cache: 'hit', ...overrides });

// Paths a client can send: quotes, backslashes, a newline escaped by the parser's rules, right-to-left text, emoji.
const HOSTILE = ['/tags/"quoted"/rss.xml', '/a\\b', '/x\n{"level":"fatal"}', '/تگ/rss.xml', '/😀', '/\u2028sep', '/\u0007bell'];

/** What pino itself writes for the same fields: the line the access log must match, time aside. */
function viaPino(e: AccessEntry): Record<string, unknown> {
  const out = sink();
  const logger = createLogger({ level: 'info', pretty: false, destination: out.stream });
  const { requestId, method, path, status, bytes, durationMs, cache } = e;
  const fields = { requestId, method, path, status, ...(bytes === undefined ? {} : { bytes }), durationMs, cache };
  if (e.status >= 500 && e.status !== 503) logger.error(fields, 'request failed');
  else logger.info(fields, 'request');
  return JSON.parse(out.lines()[0] as string) as Record<string, unknown>;
}

describe('the access log', () => {
  it('writes, for any path, one JSON line with the fields and key order pino writes', () => {
    const out = sink();
    const log = createAccessLog(createLogger({ level: 'info', pretty: false, destination: out.stream }));
    const entries = [entry(), entry({ status: 200, bytes: 51_234, cache: 'miss' }), entry({ status: 500, bytes: 40, cache: 'none' }), entry({ status: 200, bytes: undefined }), ...HOSTILE.map((path) => entry({ path, status: 404, bytes: 90, cache: 'none' }))];
    for (const e of entries) log(e);
    const lines = out.lines();
    expect(lines).toHaveLength(entries.length);
    lines.forEach((line, i) => {
      const ours = JSON.parse(line) as Record<string, unknown>;
      const theirs = viaPino(entries[i] as AccessEntry);
      expect(ours.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect({ ...ours, time: 0 }).toEqual({ ...theirs, time: 0 });
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    });
    expect(JSON.parse(lines[2] as string)).toMatchObject({ level: 'error', msg: 'request failed', status: 500 });
    expect(JSON.parse(lines[3] as string)).not.toHaveProperty('bytes');
  });

  it('logs a 503 (the database is down, Retry-After given) as a request, at info: an outage is logged once by the store, not once per answer', () => {
    const out = sink();
    const log = createAccessLog(createLogger({ level: 'warn', pretty: false, destination: out.stream }));
    for (let i = 0; i < 100; i += 1) log(entry({ status: 503, bytes: 40, cache: 'miss' }));
    expect(out.lines()).toEqual([]);
    const info = sink();
    createAccessLog(createLogger({ level: 'info', pretty: false, destination: info.stream }))(entry({ status: 503, bytes: 40, cache: 'miss' }));
    expect(JSON.parse(info.lines()[0] as string)).toMatchObject({ level: 'info', msg: 'request', status: 503, cache: 'miss' });
  });

  it('honours the level, also when it is changed while serving', () => {
    const out = sink();
    const logger = createLogger({ level: 'warn', pretty: false, destination: out.stream });
    const log = createAccessLog(logger);
    log(entry());
    log(entry({ status: 500 }));
    expect(out.lines().map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([500]);
    logger.level = 'info';
    log(entry({ status: 200 }));
    logger.level = 'fatal';
    log(entry({ status: 502 }));
    expect(out.lines().map((l) => (JSON.parse(l) as { status: number }).status)).toEqual([500, 200]);
  });

  it('goes through pino on the readable terminal output', () => {
    const out = sink();
    const log = createAccessLog(createLogger({ level: 'info', pretty: true, destination: out.stream }));
    log(entry({ path: '/x\n{"forged":1}' }));
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('request');
    expect(lines[0]).toContain('/x\\n{\\"forged\\":1}');
  });
});
