import { loadAssets } from '../http/pages/assets.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { ConfigError, loadConfig } from '../config/config.js';
import { createApp, type WirefeedApp } from '../http/app.js';
import { SiteError } from '../load/errors.js';
import { loadArticleFiles, loadSite } from '../load/load-data.js';
import { FEED_FORMATS, FORMATS } from '../render/render.js';
import { createSnapshotStore } from '../store/files/files-store.js';
import { buildSnapshot } from '../store/snapshot.js';
import type { Store } from '../store/store.js';
import { logToStderr, logToStdout } from '../model/log-line.js';
import { readCommandLine, UsageError, type CliIo } from './cli-io.js';
import { createProgress, type ProgressOptions } from './progress.js';
import { checkExportTarget, ExportTargetError } from './export-target.js';

/** What an export is made from: the real app, the store it serves, and the instant it is served at. */
export interface ExportOptions {
  /** What createApp built for `store` and a clock fixed at `now`: served through its listener, as the server serves it. */
  readonly app: Pick<WirefeedApp, 'listener'>;
  readonly store: Store;
  readonly now: Date;
  readonly outDir: string;
  readonly log?: (line: string) => void;
  /** URLs done so far and URLs known (more are found in paging links as the export goes). */
  readonly onProgress?: (done: number, known: number) => void;
}

export interface ExportResult {
  /** URL path (with query, if any) → file written, relative to outDir. */
  readonly files: ReadonlyMap<string, string>;
  /** URLs the app answered 404 (pages not served by this build) or with a redirect. */
  readonly skipped: readonly string[];
}

/** The export cannot be completed (a URL answered 5xx or an unexpected status). */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** Link relations of paged and archived feeds (RFC 5005) that lead to more documents to export. */
const PAGING_RELS = new Set(['next', 'prev', 'previous', 'first', 'last', 'current', 'next-archive', 'prev-archive']);

/**
 * The URLs to start from, taken from the feed directory rather than from
 * the routes, so routes added later are covered: every feed in every
 * format, each feed folder's preview page (`P/`, the home page for the main
 * feed), the OPML list and the widget script.
 */
export async function seedUrls(store: Store, now: Date): Promise<string[]> {
  // The pages' stylesheet and script (and the widget's) are exported too, so the pages work from a static host.
  const urls = ['/', '/feeds.opml', '/embed.js', ...[...loadAssets().keys()].map((name) => `/assets/${encodeURIComponent(name)}`)];
  for (const feed of (await store.directory(now)).feeds) {
    for (const format of FEED_FORMATS) urls.push(`${feed.path}/${FORMATS[format].fileName}`);
    if (feed.path !== '') urls.push(`${feed.path}/`);
  }
  return [...new Set(urls)];
}

/**
 * Where a URL lives in the export: the URL path decoded segment by segment
 * (`/tags/%EB%B6%81%ED%95%9C/rss.xml` → `tags/북한/rss.xml`, which is how
 * static servers look files up), `index.html` for a folder URL, and a query
 * string (paging cursors) kept in the file name.
 */
export function filePathFor(url: string): string {
  const [path = '/', query] = url.split(/\?(.*)/s, 2);
  const segments = path.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  if (segments.at(-1) === '') segments[segments.length - 1] = 'index.html';
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) throw new ExportError(`cannot export ${url}: it does not map to a file path`);
  }
  if (query) segments[segments.length - 1] += `?${query}`;
  return segments.join('/');
}

interface Fetched {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** GET over loopback with no content coding, so the bytes are exactly what the server sends uncompressed. */
function get(port: number, path: string): Promise<Fetched> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { 'accept-encoding': 'identity' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decodeXmlAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) ? String.fromCodePoint(code) : entity;
  });
}

/** Paging links in a response: the Link header, Atom/RSS `<link rel=… href=…>`, JSON Feed `next_url`. */
function pagingLinks(fetched: Fetched): string[] {
  const links: string[] = [];
  const header = fetched.headers.link;
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    for (const match of value.matchAll(/<([^>]*)>([^,<]*)/g)) {
      const rels = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '')?.[1]?.toLowerCase().split(/\s+/) ?? [];
      if (rels.some((rel) => PAGING_RELS.has(rel))) links.push(match[1] as string);
    }
  }
  const type = String(fetched.headers['content-type'] ?? '');
  if (/xml/.test(type)) {
    const text = fetched.body.toString('utf8');
    for (const tag of text.matchAll(/<(?:[a-z]+:)?link\b[^>]*>/gi)) {
      const rel = /\brel\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag[0]);
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag[0]);
      const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
      if (href && rels.some((r) => PAGING_RELS.has(r))) links.push(decodeXmlAttribute(href[1] ?? href[2] ?? ''));
    }
  } else if (/json/.test(type)) {
    try {
      const next = (JSON.parse(fetched.body.toString('utf8')) as { next_url?: unknown }).next_url;
      if (typeof next === 'string') links.push(next);
    } catch {
      // Not JSON after all: nothing to follow.
    }
  }
  return links;
}

/** A link as a path on this server, or undefined when it points elsewhere. */
function localPath(link: string, baseUrl: string): string | undefined {
  if (link.startsWith(`${baseUrl}/`)) return link.slice(baseUrl.length);
  if (link.startsWith('/') && !link.startsWith('//')) return link;
  return undefined;
}

/**
 * Writes every URL the app serves for this snapshot at `now` into `outDir`,
 * laid out like the URL space, with `.gz` and `.br` siblings. The bytes are
 * fetched from the real app over loopback, so they are the bytes the server
 * sends. Paging links in the feeds are followed. A 404 is skipped (a page
 * this build does not serve); any other failure stops the export.
 */
export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const log = options.log ?? (() => undefined);
  const outDir = resolve(options.outDir);
  const server = await new Promise<Server>((ready) => {
    const s = createServer(options.app.listener).listen(0, '127.0.0.1', () => ready(s));
  });
  const { port } = server.address() as AddressInfo;
  const files = new Map<string, string>();
  const skipped: string[] = [];
  try {
    const queue = await seedUrls(options.store, options.now);
    const seen = new Set(queue);
    while (queue.length > 0) {
      const url = queue.shift() as string;
      const fetched = await get(port, url);
      if (fetched.status === 404 || (fetched.status >= 300 && fetched.status < 400)) {
        skipped.push(url);
        continue;
      }
      if (fetched.status !== 200) throw new ExportError(`${url} answered ${fetched.status}: ${fetched.body.toString('utf8').slice(0, 300).trim()}`);
      const relative = filePathFor(url);
      const target = join(outDir, ...relative.split('/'));
      if (!target.startsWith(outDir + sep)) throw new ExportError(`cannot export ${url}: it maps outside the output folder`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fetched.body);
      writeFileSync(`${target}.gz`, gzipSync(fetched.body, { level: zlib.Z_BEST_COMPRESSION }));
      writeFileSync(
        `${target}.br`,
        brotliCompressSync(fetched.body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: fetched.body.length },
        }),
      );
      files.set(url, relative);
      log(`${url} → ${relative} (${fetched.body.length} bytes)`);
      options.onProgress?.(files.size + skipped.length, seen.size);
      for (const link of pagingLinks(fetched)) {
        const path = localPath(link, options.store.site().baseUrl);
        if (path !== undefined && !seen.has(path)) {
          seen.add(path);
          queue.push(path);
        }
      }
    }
  } finally {
    await new Promise((done) => server.close(done));
  }
  return { files, skipped };
}

const EXPORT_USAGE = `usage: wirefeed export <out-dir> [--now <ISO 8601 date-time>]

Writes every feed, page and asset the server would serve for the records in
DATA_DIR (self links from SITE_URL) into <out-dir>, each with .gz and .br.`;

/**
 * `wirefeed export <out-dir> [--now <instant>]`: exports the feeds for the
 * data in DATA_DIR (and SITE_URL, as the server would use them) as they are
 * at `now` (default: the current time). Returns the exit code.
 */
export async function runExport(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  print: { out: (line: string) => void; err: (line: string) => void } = { out: logToStdout, err: logToStderr },
  progress?: Pick<ProgressOptions, 'write' | 'interactive'>,
): Promise<number> {
  let outDir: string;
  let now = new Date();
  try {
    const { values, positionals } = readCommandLine(argv, { now: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      print.out(EXPORT_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the folder to write to' : `give one output folder, got ${positionals.length}`);
    outDir = positionals[0] as string;
    if (values.now !== undefined) {
      const parsed = Date.parse(values.now);
      if (Number.isNaN(parsed)) throw new UsageError(`--now needs an ISO 8601 date-time, got ${JSON.stringify(values.now)}`);
      now = new Date(parsed);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print.err(`wirefeed export: ${error.message}\n${EXPORT_USAGE}`);
    return 2;
  }
  try {
    const config = loadConfig(env);
    const site = loadSite(config.dataDir, { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: `http://localhost:${config.port}` });
    if (config.siteUrl === undefined && site.baseUrl === `http://localhost:${config.port}`) {
      print.err(`wirefeed export: warning: neither SITE_URL nor baseUrl in site.json is set; self links will point to ${site.baseUrl}`);
    }
    // After site.json is read, so a DATA_DIR that cannot be used is said first (exit 1).
    const target = checkExportTarget(outDir, config.dataDir);
    const snapshot = buildSnapshot(site, loadArticleFiles(config.dataDir, site), 1);
    for (const problem of snapshot.rejected) print.err(`rejected: ${problem.message}`);
    const store = createSnapshotStore(snapshot, () => now);
    const app = createApp({ store, clock: () => now, production: true, log: print.err });
    const bar = progress === undefined ? undefined : createProgress({ label: 'export', ...progress });
    const result = await exportSite({ app, store, now, outDir: target, ...(bar === undefined ? {} : { onProgress: (done, known) => bar.update(done, known) }) });
    bar?.finish();
    const shown = result.skipped.slice(0, 5).join(' ') + (result.skipped.length > 5 ? ' …' : '');
    print.out(`wirefeed export: wrote ${result.files.size} URLs (each with .gz and .br) to ${outDir} as of ${now.toISOString()}`);
    if (result.skipped.length > 0) print.out(`wirefeed export: ${result.skipped.length} URLs are not served by this build (404), skipped: ${shown}`);
    return 0;
  } catch (error) {
    if (error instanceof ExportTargetError) {
      print.err(`wirefeed export: ${error.message}`);
      return 2;
    }
    // A write that fails part-way (disk full, permissions changed) is a failure of the work, said in one line.
    const errno = (error as NodeJS.ErrnoException).code;
    if (error instanceof ConfigError || error instanceof SiteError || error instanceof ExportError || typeof errno === 'string') {
      print.err(`wirefeed export: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

/** `wirefeed export`, with a progress bar on a terminal. */
export function runExportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const print = { out: (line: string) => io.stdout(`${line}\n`), err: (line: string) => io.stderr(`${line}\n`) };
  return runExport(argv, io.env, print, { write: io.stderr, interactive: io.interactive });
}
