import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createApp } from '../../src/http/app.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import type { Site } from '../../src/model/types.js';
import { buildSnapshot, type Snapshot } from '../../src/store/snapshot.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';

/** Debian's chromium (WIREFEED_CHROMIUM_PATH elsewhere); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.WIREFEED_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FOUND = existsSync(CHROMIUM_PATH);
/** Set by .ci/run: a missing browser fails the suite instead of skipping it. */
export const BROWSER_REQUIRED = process.env.WIREFEED_REQUIRE_BROWSER === '1';
/** Skip only when the browser is missing and CI did not ask for it. */
export const SKIP_BROWSER_TESTS = !CHROMIUM_FOUND && !BROWSER_REQUIRED;
if (!CHROMIUM_FOUND) {
  console.warn(
    BROWSER_REQUIRED
      ? `Browser tests FAIL: WIREFEED_REQUIRE_BROWSER=1 but Chromium is not at ${CHROMIUM_PATH} (apt-get install chromium fonts-noto-core fonts-noto-cjk).`
      : `Browser tests skipped: Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium fonts-noto-core fonts-noto-cjk to run them).`,
  );
}

/** The fixed "now" of the browser tests: the sample embargo (2099) stays hidden, the draft never shows. */
export const FIXED_NOW = new Date('2026-01-01T00:00:00Z');
export const SAMPLE_DATA = join(import.meta.dirname, '..', '..', 'data');
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

export interface RunningBrowser {
  readonly browser: Browser;
  /** A fresh context whose requests never leave the machine: images from the newsroom's media host get a placeholder. */
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A grey placeholder picture, so lead images and thumbnails load without the network. */
const PLACEHOLDER = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800"><rect width="1200" height="800" fill="#8aa1b8"/><circle cx="900" cy="220" r="110" fill="#e9eef3"/><path d="M0 800 L380 380 L640 640 L820 470 L1200 800 Z" fill="#4d6580"/></svg>`;

/**
 * Launches headless Chromium. Playwright gives every launch a fresh, empty
 * user-data-dir in the temp folder and deletes it on close (it refuses a
 * --user-data-dir argument), so no profile state carries between runs.
 */
export async function launchBrowser(): Promise<RunningBrowser> {
  if (!CHROMIUM_FOUND) throw new Error(`WIREFEED_REQUIRE_BROWSER=1 but Chromium is missing at ${CHROMIUM_PATH}: install the Debian package chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Nothing but loopback resolves: a request to anywhere else fails instead of leaving the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  return {
    browser,
    async newContext(options) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
      // Fail a missing element in seconds, with Playwright's message, well before the test's own timeout.
      context.setDefaultTimeout(10_000);
      await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) =>
        route.request().resourceType() === 'image' ? route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER }) : route.abort('blockedbyclient'),
      );
      return context;
    },
    async close() {
      await browser.close();
    },
  };
}

export interface RunningServer {
  readonly url: string;
  readonly snapshot: Snapshot;
  /** Headers of every request the server received, in order, with their paths. */
  readonly requests: { readonly path: string; readonly headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The app on an ephemeral loopback port with a fixed clock, its public base
 * URL set to where it listens. `makeSnapshot` gets the site and returns the
 * data; by default the sample data in data/.
 */
export async function startApp(makeSnapshot: (site: Site) => Snapshot = (site) => buildSnapshot(site, loadArticleFiles(SAMPLE_DATA, site), 1), loadSiteFor = (baseUrl: string) => loadSite(SAMPLE_DATA, { baseUrl, fallbackBaseUrl: baseUrl })): Promise<RunningServer> {
  const server = createServer();
  const url = await listenOnLoopback(server);
  const snapshot = makeSnapshot(loadSiteFor(url));
  const { listener } = createApp({ store: createSnapshotStore(snapshot), clock: () => FIXED_NOW, log: () => {} });
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  server.on('request', (req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    listener(req, res);
  });
  return { url, snapshot, requests, close: () => closeServer(server) };
}

/** One file of a partner's site. */
export interface PartnerFile {
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A partner's site on another origin (another port): serves the files given, by path. */
export async function startPartner(files: Readonly<Record<string, PartnerFile>>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://partner').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, ...file.headers });
    res.end(file.body);
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}
