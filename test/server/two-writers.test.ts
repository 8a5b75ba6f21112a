import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecord } from '../helpers/builders.js';
import { freePort } from '../helpers/throwaway-cluster.js';
import { makeDataDir } from '../live/data-dir.js';
import { builtFile } from './build.js';

/**
 * Two real server processes on one DATA_DIR (a rolling deploy's overlap, or
 * two `createWirefeed` on one folder): a check-and-write must hold across
 * both. Each round sends 20 PUTs at once, 10 to each process, all carrying
 * the same If-Match: exactly one may win, and every win is one version,
 * numbered without gaps or repeats.
 */
const TOKEN = 'two-writers-token-0123456789';
const ROUNDS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two server processes writing to one DATA_DIR', () => {
  let data: ReturnType<typeof makeDataDir>;
  const children: ChildProcess[] = [];
  const servers: string[] = [];

  const start = async (): Promise<string> => {
    const port = await freePort();
    const child = spawn(process.execPath, [builtFile('src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: data.dir, SITE_URL: 'https://feeds.example.org', INGEST_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = `http://127.0.0.1:${port}`;
    for (const end = Date.now() + 30_000; ; await sleep(50)) {
      // Ready, not just alive: /healthz answers while the store still loads, and a write then is a 503 "Starting up".
      const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) return url;
      if (Date.now() > end || child.exitCode !== null) throw new Error(`the server did not start; it wrote: ${output.slice(0, 2000)}`);
    }
  };

  beforeAll(async () => {
    data = makeDataDir([makeRecord({ id: 'contested', headline: 'Start' })]);
    servers.push(await start(), await start());
  }, 180_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    data?.remove();
  });

  const api = (server: string, path: string, init: RequestInit = {}) =>
    fetch(`${server}/api${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(30_000) });

  it('20 concurrent PUTs with the same If-Match across two processes: one wins per round, versions gapless and unique', async () => {
    const winners: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const etag = (await api(servers[0]!, '/articles/contested')).headers.get('etag') as string;
      expect(etag).toMatch(/^"/);
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const headline = `Round ${round} edit ${i}`;
          const res = await api(servers[i % 2]!, '/articles/contested', { method: 'PUT', headers: { 'if-match': etag }, body: JSON.stringify(makeRecord({ id: 'contested', headline })) });
          if (res.status === 200) winners.push(headline);
          if (res.status !== 200 && res.status !== 412) return `${res.status} ${await res.text()}`;
          return res.status;
        }),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 412), `statuses: ${statuses.join(" ")}`).toHaveLength(19);
    }
    expect(winners).toHaveLength(ROUNDS);
    // Both processes see one history: the state found at the first write, then one version per win.
    for (const server of servers) {
      const listed = (await (await api(server, '/articles/contested/versions')).json()) as { versions: { version: number; action: string }[] };
      expect(listed.versions.map((v) => v.version)).toEqual(Array.from({ length: ROUNDS + 1 }, (_, i) => i + 1));
      expect(listed.versions.map((v) => v.action)).toEqual(['existing', ...Array.from({ length: ROUNDS }, () => 'updated')]);
    }
    const headlines = [];
    for (let n = 2; n <= ROUNDS + 1; n += 1) headlines.push(((await (await api(servers[1]!, `/articles/contested/versions/${n}`)).json()) as { record: { headline: string } }).record.headline);
    expect(headlines).toEqual(winners);
    // No temp or lock file is left behind in the history folder.
    expect(readdirSync(join(data.dir, 'history')).sort()).toEqual(['audit.jsonl', 'contested']);
  }, 120_000);

  it('20 creates of one new id with If-None-Match: * across two processes: one 201, the rest 412, one version', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(servers[i % 2]!, '/articles/first-one', { method: 'PUT', headers: { 'if-none-match': '*' }, body: JSON.stringify(makeRecord({ id: 'first-one', headline: `Try ${i}` })) }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const listed = (await (await api(servers[1]!, '/articles/first-one/versions')).json()) as { versions: { version: number; action: string }[] };
    expect(listed.versions.map((v) => [v.version, v.action])).toEqual([[1, 'created']]);
  }, 60_000);
});
