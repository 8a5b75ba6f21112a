import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessLog, formatDurationMs, type AccessEntry } from '../../src/http/access-log.js';
import { requestIdFor, requestIdMaker } from '../../src/http/request-ids.js';
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

  it('writes a replayed answer\'s line, from its prepared part, exactly as the line of the same answer written whole', () => {
    for (const pretty of [false, true]) {
      const whole = sink();
      const prepared = sink();
      const a = createAccessLog(createLogger({ level: 'info', pretty, destination: whole.stream }));
      const b = createAccessLog(createLogger({ level: 'info', pretty, destination: prepared.stream }));
      const fixed = [entry(), entry({ status: 200, bytes: 51_234 }), entry({ method: 'HEAD', status: 200, bytes: 0 }), ...HOSTILE.map((path) => entry({ path, status: 200, bytes: 12 }))];
      for (const [i, e] of fixed.entries()) {
        const durationUs = [0, 1, 125, 1000, 2_500, 123_456, 7][i % 7] as number;
        a({ ...e, durationMs: Math.round(durationUs) / 1000 });
        const { requestId: _id, durationMs: _ms, ...rest } = e;
        b.replayed(b.prepare(rest), e.requestId, durationUs);
      }
      const stripTime = (line: string): string => (pretty ? line.replace(/^\S+ /, '') : line.replace(/"time":"[^"]*"/, ''));
      expect(prepared.lines().map(stripTime)).toEqual(whole.lines().map(stripTime));
      expect(prepared.lines()).toHaveLength(fixed.length);
    }
  });

  it('writes no replayed line below its level, and writes again when the level is lowered while serving', () => {
    const out = sink();
    const logger = createLogger({ level: 'warn', pretty: false, destination: out.stream });
    const log = createAccessLog(logger);
    const line = log.prepare({ method: 'GET', path: '/rss.xml', status: 304, bytes: 0, cache: 'hit' });
    log.replayed(line, 'a', 5);
    logger.level = 'info';
    log.replayed(line, 'b', 5);
    expect(out.lines().map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['b']);
  });
});

describe('request ids and durations', () => {
  it('writes a duration in whole microseconds as JavaScript writes the rounded number of milliseconds', () => {
    const wrong: number[] = [];
    for (let us = 0; us < 200_000; us += 1) if (formatDurationMs(us) !== String(us / 1000)) wrong.push(us);
    for (const us of [999_999, 1_000_000, 3_600_000_123, 86_400_000_000]) if (formatDurationMs(us) !== String(us / 1000)) wrong.push(us);
    expect(wrong).toEqual([]);
  });

  it('makes UUID-shaped ids, none twice, different in two apps, and keeps a usable id a proxy sent', () => {
    const [a, b] = [requestIdMaker(), requestIdMaker()];
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i += 1) ids.add(a());
    expect(ids.size).toBe(100_000);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(uuid);
    expect(ids.has(b())).toBe(false);
    expect(requestIdFor('edge-7f3a', a)).toBe('edge-7f3a');
    expect(requestIdFor('a"b', a)).toMatch(uuid);
    expect(requestIdFor(['x', 'y'], a)).toMatch(uuid);
  });

  it('draws a new random part when the count comes round, so an id is never made twice', () => {
    const make = requestIdMaker(0xffffffe);
    const [last1, last2, next] = [make(), make(), make()];
    expect(last1.slice(-7)).toBe('ffffffe');
    expect(last2.slice(-7)).toBe('fffffff');
    expect(next.slice(-7)).toBe('1000000');
    expect(next.slice(0, 29)).not.toBe(last2.slice(0, 29));
  });
});
