import { XMLParser } from 'fast-xml-parser';
import { withNumericReferencesDecoded } from '../helpers/parse.js';
import { describe, expect, it } from 'vitest';
import { FEED_FORMATS, FORMATS } from '../../src/render/render.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { backendServers, rawRequest, records } from './feed-client.js';

const BASE = 'https://feeds.example.org';

interface JsonPage {
  items: { id: string }[];
  next_url?: string;
}
const idOf = (itemId: string) => itemId.replace(/^tag:[^:]+:/, '');

async function getJson(serverUrl: string, url: string): Promise<JsonPage> {
  const res = await rawRequest(url.replace(BASE, serverUrl));
  expect(res.status).toBe(200);
  return JSON.parse(res.body.toString()) as JsonPage;
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  /** An app over these records on this backend, closed after each test. */
  const start = backendServers(useBackend(backend));

  describe('paging', () => {
    it('walking next from the newest page visits every article exactly once while articles are added', async () => {
      const initial = records(23);
      const server = await start(initial);
      let current = [...initial];
      const seen: string[] = [];
      const insertedOlder: string[] = [];
      let url: string | undefined = `${BASE}/feed.json?limit=4`;
      let step = 0;
      while (url !== undefined) {
        const page = await getJson(server.url, url);
        seen.push(...page.items.map((item) => idOf(item.id)));
        url = page.next_url;
        step += 1;
        // Between fetches: a newer article at the top, one back-dated below the position reached,
        // and one published at the very instant of the last article seen (ordered after it by id).
        const lastSeen = current.find((r) => r.id === seen[seen.length - 1]) as { published: string };
        const added = [
          makeRecord({ id: `new-${step}`, published: new Date(Date.UTC(2024, 4, 2) + step * 60_000).toISOString() }),
          makeRecord({ id: `old-${step}`, published: new Date(Date.UTC(2024, 3, 1) - step * 60_000).toISOString() }),
          makeRecord({ id: `zz-tie-${step}`, published: lastSeen.published }),
        ];
        insertedOlder.push(`old-${step}`, `zz-tie-${step}`);
        current = [...current, ...added];
        await server.replace(current);
      }
      const counts = new Map<string, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      for (const record of initial) expect(counts.get(String(record.id))).toBe(1);
      // Articles added below the walk's position are reached; those added above it are not.
      for (const id of insertedOlder.slice(0, -2)) expect(counts.has(id)).toBe(true);
      expect(seen.some((id) => id.startsWith('new-'))).toBe(false);
    });

    it('links first, previous and last so that they address the right articles', async () => {
      const server = await start(records(10));
      const first = await getJson(server.url, `${BASE}/feed.json?limit=3`);
      expect(first.items.map((i) => idOf(i.id))).toEqual(['story-0000', 'story-0001', 'story-0002']);
      const atom = (await rawRequest(`${server.url}/atom.xml?limit=3`)).body.toString();
      const links = linksOf(atom);
      expect(links.first).toBe(`${BASE}/atom.xml?limit=3`);
      expect(links.previous).toBeUndefined();
      const second = (await rawRequest(String(links.next).replace(BASE, server.url))).body.toString();
      const secondLinks = linksOf(second);
      expect(entryIds(second)).toEqual(['story-0003', 'story-0004', 'story-0005']);
      expect(entryIds((await rawRequest(String(secondLinks.previous).replace(BASE, server.url))).body.toString())).toEqual(['story-0000', 'story-0001', 'story-0002']);
      const last = (await rawRequest(String(secondLinks.last).replace(BASE, server.url))).body.toString();
      expect(entryIds(last)).toEqual(['story-0007', 'story-0008', 'story-0009']);
      expect(linksOf(last).next).toBeUndefined();
      expect(linksOf(last).last).toBeUndefined();
    });

    it('writes no paging links on a feed that fits in one page', async () => {
      const server = await start(records(3));
      const links = linksOf((await rawRequest(`${server.url}/atom.xml`)).body.toString());
      expect(Object.keys(links).sort()).toEqual(['alternate', 'self']);
    });

    it.each(FEED_FORMATS)('carries the next link in %s', async (format) => {
      const server = await start(records(5));
      const body = (await rawRequest(`${server.url}/${FORMATS[format].fileName}?limit=2`)).body.toString();
      const next = format === 'json' ? (JSON.parse(body) as JsonPage).next_url : linksOf(body).next;
      expect(next).toMatch(new RegExp(`^${BASE}/${FORMATS[format].fileName.replace('.', '\\.')}\\?limit=2&before=[A-Za-z0-9_-]+$`));
      expect((await rawRequest(String(next).replace(BASE, server.url))).status).toBe(200);
    });

    it('keeps since in paging links and applies it on every page', async () => {
      const server = await start(records(10, (i) => ({ updated: i % 2 === 0 ? '2024-06-01T00:00:00Z' : undefined })));
      const first = await getJson(server.url, `${BASE}/feed.json?limit=2&since=2024-05-15T00:00:00%2B02:00`);
      expect(first.items.map((i) => idOf(i.id))).toEqual(['story-0000', 'story-0002']);
      expect(first.next_url).toContain('since=2024-05-14T22%3A00%3A00.000Z');
      const second = await getJson(server.url, String(first.next_url));
      expect(second.items.map((i) => idOf(i.id))).toEqual(['story-0004', 'story-0006']);
    });

    it.each(['junk', 'bm90LWEtY3Vyc29y', 'MTIzLkFCQw', '', 'MTIzLmFi=', 'x'.repeat(400)])('answers 400 to the cursor %j', async (cursor) => {
      const server = await start(records(2));
      const res = await rawRequest(`${server.url}/rss.xml?before=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.toString()).toMatch(/"before" must be a page cursor/);
    });

    it('answers 400 to before and after together', async () => {
      const server = await start(records(5));
      const next = (await getJson(server.url, `${BASE}/feed.json?limit=2`)).next_url as string;
      const cursor = new URL(next).searchParams.get('before');
      const res = await rawRequest(`${server.url}/feed.json?before=${cursor}&after=${cursor}`);
      expect(res.status).toBe(400);
    });
  });
});

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

type Link = { rel: string; href: string };
/** rel → href of the feed-level links of an Atom feed, or the atom:link elements of an RSS channel. */
function linksOf(xml: string): Record<string, string> {
  const doc = parser.parse(withNumericReferencesDecoded(xml)) as { feed?: { link: Link[] | Link }; rss?: { channel: { 'atom:link': Link[] | Link } } };
  const links = doc.feed ? doc.feed.link : doc.rss?.channel['atom:link'];
  const list = links === undefined ? [] : Array.isArray(links) ? links : [links];
  return Object.fromEntries(list.map((l) => [l.rel, l.href]));
}

function entryIds(atom: string): string[] {
  const feed = (parser.parse(withNumericReferencesDecoded(atom)) as { feed: { entry?: { id: string } | { id: string }[] } }).feed;
  const entries = feed.entry === undefined ? [] : Array.isArray(feed.entry) ? feed.entry : [feed.entry];
  return entries.map((e) => idOf(e.id));
}
