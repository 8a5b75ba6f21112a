import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from '../server/build.js';

/** The built server (node dist main.js), as an operator runs it: counting on by default, the last counts stored at SIGTERM, nothing with STATS=false. */
const SAMPLE_DATA = join(import.meta.dirname, '..', '..', 'data');
let root = '';
let main = '';
beforeAll(() => {
  main = builtFile('src/main.ts');
  root = mkdtempSync(join(tmpdir(), 'wirefeed-stats-process-'));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function serveAndStop(name: string, env: Record<string, string>): Promise<string> {
  const dataDir = join(root, name);
  cpSync(SAMPLE_DATA, dataDir, { recursive: true });
  rmSync(join(dataDir, 'stats'), { recursive: true, force: true });
  const port = 46000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    let ready = 0;
    for (let i = 0; i < 400 && ready !== 200; i++) {
      ready = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
      if (ready !== 200) await new Promise((r) => setTimeout(r, 25));
    }
    expect(ready, output).toBe(200);
    for (const agent of ['Feedbin feed-id:1697787 - 102 subscribers', 'NetNewsWire (RSS Reader; https://netnewswire.com/)']) {
      const answer = await fetch(`${url}/rss.xml`, { headers: { 'user-agent': agent } });
      await answer.arrayBuffer();
      expect(answer.status, output).toBe(200);
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => console.error(`still running 20 s after SIGTERM: ${output}`), 20_000);
    await exited;
    clearTimeout(timer);
  }
  return dataDir;
}

describe('the server process', () => {
  it('stores the counts of its last minute when stopped with SIGTERM', async () => {
    const dataDir = await serveAndStop('on', {});
    const files = readdirSync(join(dataDir, 'stats'));
    expect(files).toEqual([`${new Date().toISOString().slice(0, 10)}.json`]);
    const day = JSON.parse(readFileSync(join(dataDir, 'stats', files[0] as string), 'utf8')) as { feeds: { feed: string; requests: number; fetchers: { subscribers: number }[] }[] };
    expect(day.feeds.map((f) => [f.feed, f.requests, f.fetchers.map((r) => r.subscribers)])).toEqual([['/rss.xml', 2, [102]]]);
  }, 60_000);

  it('counts nothing with STATS=false', async () => {
    const dataDir = await serveAndStop('off', { STATS: 'false' });
    expect(existsSync(join(dataDir, 'stats'))).toBe(false);
  }, 60_000);
});
