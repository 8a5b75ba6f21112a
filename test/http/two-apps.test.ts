import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { openFilesStore } from '../../src/store/files/open-files-store.js';
import { makeRecord, makeSite, makeSnapshot, SITE_RECORD } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two newsrooms in one process (tests, or a newsroom mounting two sites): nothing cached in one may show in the other. */
describe('two apps in one process', () => {
  it('serve their own documents: same site object, same ids and URLs, different records', async () => {
    const site = makeSite();
    const record = (headline: string) => makeRecord({ id: 'shared-id', headline, published: '2024-05-01T00:00:00Z' });
    const serve = async (headline: string) => {
      const server = await listen(createApp({ store: createSnapshotStore(makeSnapshot([record(headline)], site)), clock: () => NOW, log: () => undefined }));
      cleanups.push(server.close);
      return server.url;
    };
    const first = await serve('Only in the first newsroom');
    const second = await serve('Only in the second newsroom');
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/ninjs.json', '/']) {
      // Each app renders, caches and replays (fast path) on its own: ask each twice, interleaved.
      for (let round = 0; round < 2; round++) {
        const one = await (await fetch(`${first}${path}`)).text();
        const two = await (await fetch(`${second}${path}`)).text();
        expect(one, path).toContain('Only in the first newsroom');
        expect(one, path).not.toContain('Only in the second newsroom');
        expect(two, path).toContain('Only in the second newsroom');
        expect(two, path).not.toContain('Only in the first newsroom');
      }
    }
  });

  /**
   * Two files stores as the server opens them (bodies left on disk and read
   * on first use), over data folders that look alike to anything keyed by
   * name: the same file names, ids, URLs, tags and zone. What differs is the
   * content and the settings: site title and feed size, Cache-Control
   * lifetime. A body, slug, index, negotiation or rendered document
   * remembered by one and found by the other would show here.
   */
  it('with files stores over look-alike folders and different settings, each serves only its own data, also after one reloads', async () => {
    const newsroom = async (name: string, feedSize: number, maxAge: number) => {
      const root = mkdtempSync(join(tmpdir(), `wirefeed-two-${name}-`));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const dataDir = join(root, 'data');
      mkdirSync(join(dataDir, 'articles'), { recursive: true });
      writeFileSync(join(dataDir, 'site.json'), JSON.stringify({ ...SITE_RECORD, title: `The ${name} Newsroom`, feedSize }));
      const write = (n: number, body: string) =>
        writeFileSync(
          join(dataDir, 'articles', `story-${n}.json`),
          JSON.stringify(makeRecord({ id: `story-${n}`, headline: `${name} headline ${n}`, body: `<p>${body}</p>`, tags: ['Harbor', `${name} only`], timezone: 'Asia/Seoul', published: `2024-05-0${n}T10:00:00` })),
        );
      for (const n of [1, 2, 3]) write(n, `${name} body ${n}`);
      const overrides = { baseUrl: `https://${name.toLowerCase()}.example.org`, fallbackBaseUrl: 'http://localhost:3000' };
      const store = openFilesStore({ dataDir, site: loadSite(dataDir, overrides), siteOverrides: overrides, watch: false, rescanIntervalMs: 0, bodies: 'disk', threads: 0, log: () => undefined });
      cleanups.push(() => store.close());
      await store.whenReady;
      const server = await listen(createApp({ store, clock: () => NOW, log: () => undefined, caching: { maxAge } }));
      cleanups.push(server.close);
      return { name, url: server.url, store, write };
    };
    const first = await newsroom('First', 1, 60);
    const second = await newsroom('Second', 2, 600);

    const check = async (bodyOf: (newsroom: string, n: number) => string) => {
      for (const { name, url, other, items, maxAge } of [
        { ...first, other: second.name, items: 1, maxAge: 60 },
        { ...second, other: first.name, items: 2, maxAge: 600 },
      ]) {
        for (const path of ['/rss.xml', '/tags/harbor/atom.xml', '/feed.json', '/']) {
          // Twice: the second answer of a feed comes from the fast path.
          for (let round = 0; round < 2; round++) {
            const res = await fetch(`${url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
            const text = await res.text();
            expect(res.status, `${name} ${path}`).toBe(200);
            expect(text, `${name} ${path}`).toContain(`The ${name} Newsroom`);
            expect(text, `${name} ${path}`).not.toContain(other);
            if (path === '/') continue;
            expect(res.headers.get('cache-control'), `${name} ${path}`).toContain(`max-age=${maxAge}`);
            expect(text.match(new RegExp(`${name} headline \\d`, 'g'))?.length, `${name} ${path}`).toBe(items);
            expect(text, `${name} ${path}`).toContain(bodyOf(name, 3));
          }
        }
      }
    };
    await check((name, n) => `${name} body ${n}`);

    // An edit in the first newsroom: its next snapshot and bodies change, the second's stay as they were.
    first.write(3, 'First body 3, corrected');
    await first.store.reload(['story-3.json']);
    await check((name, n) => (name === 'First' ? `First body ${n}, corrected` : `${name} body ${n}`));
  });
});
