import { afterEach } from 'vitest';
import { request } from 'node:http';
import { createApp, type AppDeps } from '../../src/http/app.js';
import type { FastPath } from '../../src/http/fast-path.js';
import { FeedCache } from '../../src/http/feed-cache.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import type { BackendHarness, OpenedStore } from '../helpers/backends.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/** A response as it came off the wire: no transparent decompression (unlike fetch). */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** One request with exactly these headers; Accept-Encoding is sent only when given. */
export function rawRequest(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` article records, newest first, one hour apart, ending at 2024-05-01T00:00Z; override per index. */
export function records(count: number, overrides: (i: number) => Record<string, unknown> = () => ({})): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    makeRecord({ id: `story-${String(i).padStart(4, '0')}`, headline: `Story ${i}`, published: new Date(Date.UTC(2024, 4, 1) - i * 3_600_000).toISOString(), ...overrides(i) }),
  );
}

export const FIXED_NOW = new Date('2025-01-01T00:00:00Z');

/** A served app over these records with a fixed clock (or the one given); close it after the test. */
export async function serve(
  recordList: Record<string, unknown>[],
  deps: Partial<AppDeps> = {},
): Promise<{ url: string; store: ReturnType<typeof createSnapshotStore>; cache: FeedCache; fastPath: FastPath; close: () => Promise<void> }> {
  const store = (deps.store as ReturnType<typeof createSnapshotStore> | undefined) ?? createSnapshotStore(makeSnapshot(recordList));
  const cache = deps.feedCache ?? new FeedCache({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
  const app = createApp({ clock: () => FIXED_NOW, log: () => undefined, ...deps, store, feedCache: cache });
  const server = await listen(app);
  return { url: server.url, store, cache, fastPath: app.fastPath, close: server.close };
}

/** A `serve` for one test file: every server it starts is closed after each test. */
export function servers(): (...args: Parameters<typeof serve>) => ReturnType<typeof serve> {
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.map((close) => close()));
    closers = [];
  });
  return async (...args) => {
    const server = await serve(...args);
    closers.push(server.close);
    return server;
  };
}

/** An app served over a backend's store: `replace` changes its records as an editor or a sync would. */
export interface BackendServer {
  readonly url: string;
  readonly store: OpenedStore['store'];
  readonly cache: FeedCache;
  readonly dataDir: string;
  replace(records: readonly Record<string, unknown>[]): Promise<void>;
}

/** A `serve` over one backend (see test/helpers/backends.ts), for one test file: every server it starts is closed after each test. */
export function backendServers(harness: BackendHarness): (recordList: readonly Record<string, unknown>[], deps?: Partial<AppDeps>) => Promise<BackendServer> {
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return async (recordList, deps = {}) => {
    const opened = await harness.open(recordList);
    closers.push(opened.close);
    const cache = deps.feedCache ?? new FeedCache({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
    const app = createApp({ clock: () => FIXED_NOW, log: () => undefined, ...deps, store: opened.store, feedCache: cache });
    const server = await listen(app);
    closers.push(server.close);
    const { replace, dataDir, store } = opened;
    return { url: server.url, store, cache, dataDir, replace };
  };
}
