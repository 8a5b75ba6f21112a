import { request, type RequestListener, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDepsOf } from '../../src/assemble.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createServer } from '../../src/http/server.js';
import { createLogger } from '../../src/observe/logger.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import type { Store } from '../../src/store/store.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { makeRecord, makeSite, makeSnapshot } from '../helpers/builders.js';

/**
 * Issue 14's target, measured: "a cold `GET /rss.xml` crosses ≤ 10 source
 * files, and enters each once". V8 precise coverage (call counts) in this
 * process says which functions of which src/ file ran during one request
 * for a feed nothing has rendered yet, in a process that has already
 * answered other requests (so one-time start-up work is not counted).
 *
 * Coverage gives the set of files and how many of each file's functions
 * ran, not the order they were entered in or how often control came back
 * to a file, so "enters each once" is not measured; the per-file function
 * counts are printed instead.
 */

/** Issue 14's target for a cold request. Not met yet: see docs/architecture.md, "One request, cold". */
const TARGET_FILES = 10;

/**
 * Today's figures, as regression bounds: a change may make a request cross
 * fewer src/ files, never more. Lower them when a merge lands; raising them
 * needs a reason in the commit.
 */
const MAX_COLD_FILES = 28;
/** A repeat of the same request, answered by the fast path before Express. */
const MAX_REPEAT_FILES = 9;

const SRC_URL = `${pathToFileURL(resolve(import.meta.dirname, '..', '..', 'src')).href}/`;

const RECORDS = [
  makeRecord({ id: 'korea-market', headline: 'Korea market', published: '2024-05-03T00:00:00Z', section: 'Korea' }),
  makeRecord({ id: 'china-flood', headline: 'China flood', published: '2024-05-02T00:00:00Z', section: 'China' }),
  makeRecord({ id: 'korea-weather', headline: 'Korea weather', published: '2024-05-01T00:00:00Z', section: 'Korea' }),
];

/**
 * The configuration main.ts runs with when nothing is set but NODE_ENV:
 * the access log on (here written nowhere), no metrics, no rate limit.
 */
const CONFIG = loadConfig({ NODE_ENV: 'production' });

/**
 * The app's request listener, built as main.ts builds it (its dependencies
 * from assemble.ts, the fast path in front of Express): the one place that
 * knows createApp's shape.
 */
function listenerOf(store: Store): RequestListener {
  const logger = createLogger({ level: CONFIG.logLevel, pretty: false, destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  return createApp(appDepsOf(CONFIG, { store, log: () => undefined, logger })).listener;
}

/** Serves the listener through the HTTP server main.ts listens with, on an ephemeral loopback port. */
async function serve(listener: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(listener, { maxConnectionsPerClient: CONFIG.maxConnectionsPerClient });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * One GET as a feed reader polling every few minutes sends it: gzip
 * accepted, on a connection of its own (the server keeps an idle one for 5 s
 * only); resolves once the whole body has arrived.
 */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    request(url, { agent: false, headers: { 'accept-encoding': 'gzip' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        done({ status: response.statusCode ?? 0, body: (response.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8') });
      });
      response.on('error', fail);
    })
      .on('error', fail)
      .end();
  });
}

interface ScriptCoverage {
  readonly scriptId: string;
  readonly url: string;
  readonly functions: readonly { readonly functionName: string; readonly ranges: readonly { readonly startOffset: number; readonly endOffset: number; readonly count: number }[] }[];
}

async function takeCoverage(session: Session): Promise<ScriptCoverage[]> {
  return ((await session.post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] }).result;
}

/**
 * What vitest's module runner adds to every module, one per export:
 * `__vite_ssr_exportName__("name", () => { try { return name } catch {} })`.
 * An importer reading a binding calls it; under node's own ESM loader no
 * code of the exporting file runs then, so it is not counted.
 */
const EXPORT_GETTER = /^\(\)\s*=>\s*\{\s*try\s*\{\s*return [\w$]+;?\s*\}\s*catch\s*\{\s*\}\s*\}$/;

/**
 * src/ file (relative) → how many of its functions ran during `work`. The
 * first takePreciseCoverage resets V8's call counters (as the protocol
 * documents), so the second holds exactly what ran in between: the
 * difference. (Were they not reset, the repeat request below would list
 * render/rss.ts and fail.)
 */
async function srcFunctionsRunDuring(session: Session, work: () => Promise<void>): Promise<Map<string, number>> {
  await takeCoverage(session);
  await work();
  const after = (await takeCoverage(session)).filter((script) => script.url.startsWith(SRC_URL));
  const ran = new Map<string, number>();
  for (const script of after) {
    const { scriptSource } = (await session.post('Debugger.getScriptSource', { scriptId: script.scriptId })) as { scriptSource: string };
    const functions = script.functions.filter(({ ranges: [whole] }) => whole !== undefined && whole.count > 0 && !EXPORT_GETTER.test(scriptSource.slice(whole.startOffset, whole.endOffset)));
    if (functions.length > 0) ran.set(script.url.slice(SRC_URL.length).split('?')[0] as string, functions.length);
  }
  return new Map([...ran].sort(([a], [b]) => a.localeCompare(b)));
}

describe.each(BACKENDS)('a cold GET /rss.xml ($name)', (backend) => {
  const harness = useBackend(backend);
  const session = new Session();
  let store: Store;
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    if (backend.name === 'files') store = createSnapshotStore(makeSnapshot(RECORDS, makeSite()));
    else {
      // The change listener's fallback poll (every second by default) would tick inside the measured request now and then.
      const opened = await harness.open(RECORDS, { changePollMs: 3_600_000 });
      store = opened.store;
      close = () => opened.close();
    }
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    // Only to read the modules' code as loaded (Debugger.getScriptSource); no breakpoint is set.
    await session.post('Debugger.enable');
  });
  afterAll(async () => {
    await session.post('Profiler.stopPreciseCoverage');
    await session.post('Profiler.disable');
    await session.post('Debugger.disable');
    session.disconnect();
    await close();
  });

  it(`crosses at most ${MAX_COLD_FILES} src/ files (issue 14's target: ${TARGET_FILES}); a repeat at most ${MAX_REPEAT_FILES}`, async () => {
    const server = await serve(listenerOf(store));
    try {
      // Warm-up: start-up work and lazily built state (compiled patterns, the first render of a format's shell) is done
      // by other requests, as in a server that has been up for a while. Neither renders /rss.xml.
      expect((await get(`${server.url}/healthz`)).status).toBe(200);
      expect((await get(`${server.url}/sections/korea/atom.xml`)).status).toBe(200);

      const cold = await measure(session, `${server.url}/rss.xml`);
      expect(cold.reply.status).toBe(200);
      expect(cold.reply.body).toContain('<title>China flood</title>');
      const repeat = await measure(session, `${server.url}/rss.xml`);
      expect(repeat.reply.body).toBe(cold.reply.body);

      console.log(report(`cold GET /rss.xml (${backend.name})`, cold.files));
      console.log(report(`repeat GET /rss.xml (${backend.name})`, repeat.files));
      expect(cold.files.has('render/rss.ts'), 'the cold request rendered').toBe(true);
      expect(cold.files.size).toBeLessThanOrEqual(MAX_COLD_FILES);
      expect(repeat.files.has('render/rss.ts'), 'the repeat was not rendered again').toBe(false);
      expect(repeat.files.size).toBeLessThanOrEqual(MAX_REPEAT_FILES);
    } finally {
      await server.close();
    }
  });
});

/** One GET, with the src/ functions that ran while it was answered. */
async function measure(session: Session, url: string): Promise<{ reply: { status: number; body: string }; files: Map<string, number> }> {
  let reply = { status: 0, body: '' };
  const files = await srcFunctionsRunDuring(session, async () => {
    reply = await get(url);
    // Work the response leaves for later (handlers on 'finish' and 'close') belongs to it.
    await new Promise((done) => setTimeout(done, 20));
  });
  return { reply, files };
}

function report(title: string, files: ReadonlyMap<string, number>): string {
  return `${title}: ${files.size} src/ files (function(s) that ran in each)\n${[...files].map(([file, functions]) => `  ${file} ${functions}`).join('\n')}`;
}
