import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportError, exportSite, filePathFor, runExport, seedUrls, type ExportResult } from '../../src/cli/export.js';
import { createApp } from '../../src/http/app.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { listFeeds } from '../../src/model/feed-filter.js';
import { isVisible } from '../../src/model/feed-query.js';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';
import { buildSnapshot, type Snapshot } from '../../src/store/snapshot.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { listen } from '../helpers/server.js';

const SAMPLE = new URL('../../data', import.meta.url).pathname;
const NOW = new Date('2026-01-15T00:00:00Z');
const BASE = 'https://feeds.example.org';

function sampleSnapshot(): Snapshot {
  const site = loadSite(SAMPLE, { baseUrl: BASE, fallbackBaseUrl: 'http://localhost:3000' });
  return buildSnapshot(site, loadArticleFiles(SAMPLE, site), 1);
}

/** A plain static file server: URL path decoded, folder URLs → index.html, query kept in the file name. No framework. */
function staticServer(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const [rawPath = '/', query] = (req.url ?? '/').split(/\?(.*)/s, 2);
    let path = decodeURIComponent(rawPath);
    if (path.endsWith('/')) path += 'index.html';
    if (query) path += `?${query}`;
    const file = join(root, ...path.split('/'));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) }),
    ),
  );
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The URL a file in the export stands for (the inverse of the layout). */
function urlOf(root: string, file: string): string {
  const [path = '', query] = relative(root, file).split(sep).join('/').split(/\?(.*)/s, 2);
  const url = `/${path.split('/').map(encodeURIComponent).join('/')}`.replace(/\/index\.html$/, '/');
  return query ? `${url}?${query}` : url;
}

describe('static export of the sample data', () => {
  let out: string;
  let result: ExportResult;
  let snapshot: Snapshot;
  let live: Awaited<ReturnType<typeof listen>>;
  let files: Awaited<ReturnType<typeof staticServer>>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'wirefeed-export-'));
    snapshot = sampleSnapshot();
    const app = () => createApp({ store: createSnapshotStore(snapshot), clock: () => NOW, production: true });
    result = await exportSite({ app: app(), store: createSnapshotStore(snapshot), now: NOW, outDir: out });
    live = await listen(app());
    files = await staticServer(out);
  });

  afterAll(async () => {
    await live?.close();
    await files?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes every feed in every format, the main feed and every filtered one', () => {
    const feeds = listFeeds(snapshot.articles.filter((a) => isVisible(a, NOW)));
    expect(feeds.length).toBeGreaterThan(40);
    for (const feed of feeds) {
      for (const format of FEED_FORMATS) {
        const url = `${feed.path}/${FORMATS[format].fileName}`;
        expect(result.files.get(url), url).toBe(filePathFor(url));
        expect(existsSync(join(out, ...filePathFor(url).split('/'))), url).toBe(true);
      }
    }
  });

  it('serves, from a plain static server, the same bytes the live server sends for every exported URL', async () => {
    const exported = walk(out).filter((file) => !file.endsWith('.gz') && !file.endsWith('.br'));
    expect(exported.length).toBe(result.files.size);
    for (const file of exported) {
      const url = urlOf(out, file);
      const [fromFiles, fromLive] = await Promise.all([fetch(`${files.url}${url}`), fetch(`${live.url}${url}`, { headers: { 'accept-encoding': 'identity' } })]);
      expect(fromFiles.status, url).toBe(200);
      expect(fromLive.status, url).toBe(200);
      const [a, b] = [Buffer.from(await fromFiles.arrayBuffer()), Buffer.from(await fromLive.arrayBuffer())];
      expect(a.equals(b), `${url} differs`).toBe(true);
    }
  });

  it('writes .gz and .br siblings that decompress to the same bytes', () => {
    for (const relativePath of result.files.values()) {
      const file = join(out, ...relativePath.split('/'));
      const bytes = readFileSync(file);
      expect(gunzipSync(readFileSync(`${file}.gz`)).equals(bytes), `${relativePath}.gz`).toBe(true);
      expect(brotliDecompressSync(readFileSync(`${file}.br`)).equals(bytes), `${relativePath}.br`).toBe(true);
      expect(readFileSync(`${file}.br`).length).toBeLessThan(bytes.length);
    }
  });

  it('covers the pages other parts of the server add: exported when served, skipped only when the live server answers 404', async () => {
    for (const url of ['/', '/feeds.opml', '/embed.js', '/sections/korea/']) {
      const status = (await fetch(`${live.url}${url}`)).status;
      if (status === 404) expect(result.skipped).toContain(url);
      else expect(result.files.has(url), url).toBe(true);
    }
    expect(await seedUrls(createSnapshotStore(snapshot), NOW)).toEqual(expect.arrayContaining(['/', '/feeds.opml', '/embed.js', '/assets/site.css', '/assets/copy.js', '/sections/korea/', '/authors/min-seo-park/']));
  });

  it('leaves out drafts and articles still under embargo at the export time', () => {
    const main = readFileSync(join(out, 'feed.json'), 'utf8');
    expect(main).not.toMatch(/draft-interview/);
    expect(main).not.toMatch(/2099-01-embargoed-report/);
  });

  it('lays out non-ASCII slugs as decoded file names', () => {
    const tagged = [...result.files.keys()].find((url) => url.startsWith('/tags/%'));
    expect(tagged).toBeDefined();
    expect(result.files.get(tagged as string)).toBe(decodeURIComponent(tagged as string).slice(1));
  });
});

describe('export: paging, failures, the command', () => {
  /** An app that serves a paged archive the way RFC 5005 feeds link it, and fails where told to. */
  function pagedApp(failAt?: string): express.Express {
    const app = express();
    if (failAt) app.get(failAt, (_req, res) => res.status(503).send('down for maintenance'));
    app.get('/rss.xml', (_req, res) => {
      res.type('application/rss+xml').send(`<rss><channel><atom:link rel="next" href="${BASE}/rss.xml?after=2024-01-01T00%3A00%3A00Z&amp;id=x"/><atom:link rel="self" href="${BASE}/rss.xml"/></channel></rss>`);
    });
    app.get('/atom.xml', (_req, res) => {
      res.setHeader('Link', `<${BASE}/archive/2/atom.xml>; rel="next", <https://elsewhere.example.com/x.xml>; rel="next"`);
      res.type('application/atom+xml').send('<feed><link rel="self" href="/atom.xml"/></feed>');
    });
    app.get('/archive/2/atom.xml', (_req, res) => res.type('application/atom+xml').send(`<feed><link href='${BASE}/archive/3/atom.xml' rel='prev-archive'/></feed>`));
    app.get('/archive/3/atom.xml', (_req, res) => res.type('application/atom+xml').send('<feed/>'));
    app.get('/feed.json', (_req, res) => res.type('application/feed+json').send(JSON.stringify({ next_url: `${BASE}/pages/2/feed.json` })));
    app.get('/pages/2/feed.json', (_req, res) => res.type('application/feed+json').send(JSON.stringify({ items: [] })));
    app.use((_req, res) => res.status(404).end());
    return app;
  }

  it('follows next and archive links in every format and writes each page', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-export-'));
    try {
      const snapshot = buildSnapshot(sampleSnapshot().site, [], 1);
      const result = await exportSite({ app: { listener: pagedApp() }, store: createSnapshotStore(snapshot), now: NOW, outDir: out });
      expect([...result.files.keys()].sort()).toEqual([
        '/archive/2/atom.xml',
        '/archive/3/atom.xml',
        '/atom.xml',
        '/feed.json',
        '/pages/2/feed.json',
        '/rss.xml',
        '/rss.xml?after=2024-01-01T00%3A00%3A00Z&id=x',
      ]);
      expect(existsSync(join(out, 'archive', '3', 'atom.xml.br'))).toBe(true);
      expect(readFileSync(join(out, 'rss.xml?after=2024-01-01T00%3A00%3A00Z&id=x'), 'utf8')).toMatch(/<rss>/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('fails on a 5xx, naming the URL', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-export-'));
    try {
      const snapshot = buildSnapshot(sampleSnapshot().site, [], 1);
      await expect(exportSite({ app: { listener: pagedApp('/archive/3/atom.xml') }, store: createSnapshotStore(snapshot), now: NOW, outDir: out })).rejects.toThrow(ExportError);
      await expect(exportSite({ app: { listener: pagedApp('/archive/3/atom.xml') }, store: createSnapshotStore(snapshot), now: NOW, outDir: out })).rejects.toThrow(/archive\/3\/atom\.xml answered 503/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('runs as a command: exit 0 and files written; usage errors exit 2; a bad DATA_DIR exits 1', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-export-'));
    const lines: string[] = [];
    const print = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    try {
      expect(await runExport([out, '--now', NOW.toISOString()], { DATA_DIR: SAMPLE, SITE_URL: BASE }, print)).toBe(0);
      expect(readFileSync(join(out, 'rss.xml'), 'utf8')).toContain(`${BASE}/rss.xml`);
      expect(lines.join('\n')).toMatch(/wrote \d+ URLs/);
      expect(await runExport([], {}, print)).toBe(2);
      expect(await runExport([out, '--now', 'tomorrow'], {}, print)).toBe(2);
      expect(await runExport([out], { DATA_DIR: join(out, 'missing') }, print)).toBe(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses URLs that do not map inside the output folder', () => {
    expect(() => filePathFor('/tags/%2E%2E/rss.xml')).toThrow(ExportError);
    expect(() => filePathFor('/tags/a%2Fb/rss.xml')).toThrow(ExportError);
    expect(filePathFor('/sections/korea/')).toBe('sections/korea/index.html');
    expect(filePathFor('/')).toBe('index.html');
  });
});
