import { spawn, type ChildProcess } from 'node:child_process';
import { rawRequest } from '../http/feed-client.js';
import { freePort } from '../helpers/throwaway-cluster.js';
import { builtFile } from '../server/build.js';

export const TOKEN = 'varnish-test-token-0123';
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 20 ms until it gives a value; fails after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface OriginProcess {
  readonly url: string;
  readonly port: number;
  output(): string;
  kill(): void;
}

/** The built server (node dist main.js) on a free port, as a newsroom runs it, with these variables. */
export async function startOrigin(env: Record<string, string>): Promise<OriginProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [builtFile('src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), SITE_URL: 'https://feeds.example.org', INGEST_TOKEN: TOKEN, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until('the origin to be ready', async () => ((await rawRequest(`${url}/readyz`)).status === 200 ? true : undefined), 30_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}; it wrote: ${output.slice(0, 2000)}`);
  });
  return { url, port, output: () => output, kill: () => void child.kill('SIGKILL') };
}

/** PUT one record through the ingest API. */
export function put(origin: string, record: Record<string, unknown>): Promise<Response> {
  return fetch(`${origin}/api/articles/${String(record.id)}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(record), signal: AbortSignal.timeout(15_000) });
}

export const GZIP = { 'accept-encoding': 'gzip' };
