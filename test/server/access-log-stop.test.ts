import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from './build.js';

/**
 * The access log is written through a buffer (observe/logger.ts): 4 KB at a
 * time, or 100 ms after a line when traffic is light. What an operator relies
 * on: every request still gets exactly one line, replayed answers and 304s
 * included, when the server is stopped by SIGTERM or SIGINT right after the
 * last response; a lone line reaches the log without waiting for more traffic;
 * and a busy server writes its log in blocks, not one write per request.
 */
const SAMPLE_DATA = join(import.meta.dirname, '..', '..', 'data');
let root = '';
let main = '';
let logger = '';
let observe = '';
beforeAll(() => {
  main = builtFile('src/main.ts');
  logger = builtFile('src/observe/logger.ts');
  observe = builtFile('src/http/access-log.ts');
  root = mkdtempSync(join(tmpdir(), 'wirefeed-access-stop-'));
  cpSync(SAMPLE_DATA, join(root, 'data'), { recursive: true });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

function get(agent: Agent, url: string, headers: Record<string, string>): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    })
      .on('error', reject)
      .end();
  });
}

describe.each(['SIGTERM', 'SIGINT'] as const)('stopping the server with %s', (signal) => {
  it('leaves exactly one access-log line per request answered, replayed 200s and 304s included', async () => {
    const port = 44000 + Math.floor(Math.random() * 2000);
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: join(root, 'data'), LOG_LEVEL: 'info', METRICS: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const url = `http://127.0.0.1:${port}`;
    try {
      let ready = 0;
      for (let i = 0; i < 400 && ready !== 200; i++) {
        ready = await get(agent, `${url}/readyz`, {}).then((r) => r.status, () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 25));
      }
      expect(ready).toBe(200);
      const first = await get(agent, `${url}/rss.xml`, { 'Accept-Encoding': 'gzip', 'X-Request-Id': 'count-first' });
      expect(first.status).toBe(200);
      // 600 more, eight at a time: fast-path 200s, 304s and 404s, each with an id to find its line by.
      const asked = 600;
      const kinds: Record<string, string>[] = [{ 'Accept-Encoding': 'gzip' }, { 'Accept-Encoding': 'gzip', 'If-None-Match': first.etag ?? '' }, {}];
      const paths = ['/rss.xml', '/rss.xml', '/no-such-page'];
      let next = 0;
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < asked; i = next++) statuses.push((await get(agent, `${url}${paths[i % 3]}`, { ...kinds[i % 3], 'X-Request-Id': `count-${i}` })).status);
        }),
      );
      expect(statuses.filter((s) => s === 304)).toHaveLength(asked / 3);
      agent.destroy();
      child.kill(signal);
      await exited(child);
      const lines = output.split('\n').filter((line) => line.includes('"requestId":"count-'));
      expect(lines).toHaveLength(asked + 1);
      expect(new Set(lines.map((line) => (JSON.parse(line) as { requestId: string }).requestId)).size).toBe(asked + 1);
      expect(lines.filter((line) => line.includes('"status":304'))).toHaveLength(asked / 3);
    } finally {
      agent.destroy();
      child.kill('SIGKILL');
    }
  }, 60_000);
});

/** A process that writes access lines one event-loop turn apart, as requests arrive, and counts its writes to standard output. */
function runLineWriter(lines: number, thenWaitMs: number): Promise<{ stdout: string; writes: number }> {
  const script = `
    const { createLogger, jsonLinesOf } = await import(${JSON.stringify(logger)});
    const { createAccessLog } = await import(${JSON.stringify(observe)});
    const log = createLogger({ level: 'info', pretty: false });
    const access = createAccessLog(log);
    for (let i = 0; i < ${lines}; i++) {
      access({ requestId: 'line-' + i, method: 'GET', path: '/rss.xml', status: 304, bytes: 0, durationMs: 0.1, cache: 'hit' });
      await new Promise((r) => setTimeout(r, 1));
    }
    await new Promise((r) => setTimeout(r, ${thenWaitMs}));
    process.stderr.write(String(jsonLinesOf(log).writes));
    // No exit hook: only what was written by then counts.
    process.kill(process.pid, 'SIGKILL');
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', () => resolve({ stdout, writes: Number(stderr) }));
  });
}

describe('the buffered log destination', () => {
  it('writes 300 access lines arriving a millisecond apart in blocks (at most one write per 4 KB), none lost', async () => {
    const { stdout, writes } = await runLineWriter(300, 400);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(300);
    // ~190 bytes a line: about 14 blocks of 4 KB, plus the timer's writes of what waited.
    expect(writes).toBeLessThanOrEqual(Math.ceil(stdout.length / 4096) + 10);
  }, 30_000);

  it('writes a lone line within a fraction of a second, without waiting for more traffic or an exit', async () => {
    const { stdout } = await runLineWriter(1, 400);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);
  }, 30_000);

  it('writes the lines still waiting when the process exits by process.exit, without flushLogs', async () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(logger)});
      const { createAccessLog } = await import(${JSON.stringify(observe)});
      const access = createAccessLog(createLogger({ level: 'info', pretty: false }));
      for (let i = 0; i < 50; i++) access({ requestId: 'line-' + i, method: 'GET', path: '/rss.xml', status: 304, bytes: 0, durationMs: 0.1, cache: 'hit' });
      process.exit(3);
    `;
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (exitCode) => resolve({ stdout: out, code: exitCode }));
    });
    expect(code).toBe(3);
    expect(stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(Array.from({ length: 50 }, (_, i) => `line-${i}`));
  }, 30_000);
});
