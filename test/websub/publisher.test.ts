import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebSubPublisher, type WebSubPublisher } from '../../src/websub/publisher.js';
import { BACKENDS, useBackend, type BackendHarness } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { rawRequest, serve } from '../http/feed-client.js';

const BASE = 'https://feeds.example.org';

interface Hub {
  readonly url: string;
  /** Every publish request received: its content type and hub.* parameters. */
  readonly received: { contentType: string | undefined; mode: string | null; urls: string[] }[];
  /** Status codes to answer, in order; 204 once they run out. */
  statuses: number[];
  /** While set, requests wait for it before being answered. */
  gate?: Promise<void>;
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A real WebSub hub endpoint on loopback that records what publishers send it. */
async function startHub(): Promise<Hub> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const hub: Hub = {
    url: '',
    received: [],
    statuses: [],
    waitFor: (count) => (hub.received.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The publisher's fetch keeps connections alive; do not wait for them to time out.
        server.closeAllConnections();
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', async () => {
      const params = new URLSearchParams(body);
      hub.received.push({ contentType: req.headers['content-type'], mode: params.get('hub.mode'), urls: params.getAll('hub.url') });
      for (const waiter of waiters.filter((w) => hub.received.length >= w.count)) waiter.resolve();
      await hub.gate;
      res.statusCode = hub.statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (hub as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/publish`;
  return hub;
}

function newsroom(): Record<string, unknown>[] {
  return [
    makeRecord({ id: 'korea-market', headline: 'Korea market', published: '2024-05-03T00:00:00Z', section: 'Korea', tags: ['Markets', '북한'], language: 'ko', credits: [{ name: 'Min-seo Park', role: 'reporter' }] }),
    makeRecord({ id: 'china-flood', headline: 'China flood', published: '2024-05-02T00:00:00Z', section: 'China', tags: ['Weather'], language: 'zh-Hans', credits: [{ name: 'Ji-woo Han', role: 'writer' }] }),
    makeRecord({ id: 'korea-weather', headline: 'Korea weather', published: '2024-05-01T00:00:00Z', section: 'Korea', tags: ['Weather'], language: 'en', credits: [{ name: 'Min-seo Park', role: 'reporter' }, { name: 'Ji-woo Han', role: 'translator' }] }),
  ];
}

const urlsOf = (...paths: string[]): string[] => paths.flatMap((p) => ['atom.xml', 'feed.json', 'rss.xml'].map((f) => `${BASE}${p}/${f}`)).sort();
const receivedUrls = (hub: Hub): string[] => hub.received.flatMap((r) => r.urls).sort();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(harness: BackendHarness, options: { attempts?: number; clock?: () => Date } = {}) {
  const hub = await startHub();
  const opened = await harness.open(newsroom());
  cleanups.push(() => opened.close());
  const { store, replace } = opened;
  const logs: string[] = [];
  const pings: string[] = [];
  const publisher: WebSubPublisher = startWebSubPublisher({
    hub: hub.url,
    store,
    log: (line) => logs.push(line),
    onPing: (outcome) => pings.push(outcome),
    retryDelayMs: 5,
    attempts: options.attempts ?? 5,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  cleanups.push(() => hub.close(), () => publisher.stop());
  return { hub, store, replace, publisher, logs, pings };
}

describe.each(BACKENDS)('on the $name backend', (backend) => {
  const harness = useBackend(backend);

  describe('WebSub publisher', () => {
    it('reports each attempt for the metrics: failed (retried), accepted, abandoned', async () => {
      const { hub, store, replace, publisher, pings } = await setUp(harness, { attempts: 2 });
      hub.statuses = [503, ...Array.from({ length: 14 }, () => 204)];
      await replace(newsroom().map((r) => (r.id === 'china-flood' ? { ...r, headline: 'China flood, updated', updated: '2024-05-04T00:00:00Z' } : r)));
      await publisher.idle();
      expect(pings.filter((p) => p === 'failed')).toHaveLength(1);
      expect(pings.filter((p) => p === 'accepted')).toHaveLength(15);
      hub.statuses = Array.from({ length: 40 }, () => 500);
      await replace(newsroom().filter((r) => r.id !== 'china-flood'));
      await publisher.idle();
      expect(pings.filter((p) => p === 'abandoned').length).toBeGreaterThan(0);
      expect(pings.filter((p) => p === 'failed')).toHaveLength(1 + 2 * pings.filter((p) => p === 'abandoned').length);
    });

    it('pings exactly the feeds an edited article is in, one form-encoded publish per URL', async () => {
      const { hub, store, replace, publisher, logs } = await setUp(harness);
      await replace(newsroom().map((r) => (r.id === 'china-flood' ? { ...r, headline: 'China flood, updated', updated: '2024-05-04T00:00:00Z' } : r)));
      await publisher.idle();
      expect(receivedUrls(hub)).toEqual(urlsOf('', '/authors/ji-woo-han', '/languages/zh-hans', '/sections/china', '/tags/weather'));
      expect(hub.received.every((r) => r.mode === 'publish' && r.urls.length === 1 && r.contentType === 'application/x-www-form-urlencoded')).toBe(true);
      expect(logs.filter((l) => l.includes('accepted publish'))).toHaveLength(15);
    });

    it('pings the feeds a deleted article leaves, including ones that now have no articles', async () => {
      const { hub, store, replace, publisher } = await setUp(harness);
      await replace(newsroom().filter((r) => r.id !== 'korea-market'));
      await publisher.idle();
      expect(receivedUrls(hub)).toEqual(urlsOf('', '/authors/min-seo-park', '/languages/ko', '/sections/korea', '/tags/markets', `/tags/${encodeURIComponent('북한')}`));
    });

    it('pings nothing when a reload yields equal data', async () => {
      const { hub, store, replace, publisher } = await setUp(harness);
      await replace(newsroom());
      await publisher.idle();
      expect(hub.received).toEqual([]);
    });

    it('pings only the main feed and the changed tag when an article is re-tagged', async () => {
      const { hub, store, replace, publisher } = await setUp(harness);
      await replace(newsroom().map((r) => (r.id === 'korea-weather' ? { ...r, tags: ['Weather', 'Floods'] } : r)));
      await publisher.idle();
      // The item's categories change in every feed it is in.
      expect(receivedUrls(hub)).toEqual(urlsOf('', '/authors/ji-woo-han', '/authors/min-seo-park', '/languages/en', '/sections/korea', '/tags/floods', '/tags/weather'));
    });

    it('pings nothing when a draft is edited, and the draft\'s feeds once it is published', async () => {
      const draft = makeRecord({ id: 'draft', section: 'Korea', tags: ['Weather'], status: 'draft', published: '2024-05-05T00:00:00Z', credits: [] });
      const { hub, store, replace, publisher } = await setUp(harness);
      await replace([...newsroom(), draft]);
      await publisher.idle();
      await replace([...newsroom(), { ...draft, headline: 'Draft, edited' }]);
      await publisher.idle();
      expect(hub.received).toEqual([]);
      await replace([...newsroom(), { ...draft, status: 'published' }]);
      await publisher.idle();
      expect(receivedUrls(hub)).toEqual(urlsOf('', '/languages/en', '/sections/korea', '/tags/weather'));
    });

    it('retries with backoff until the hub accepts', async () => {
      const { hub, store, replace, publisher, logs } = await setUp(harness);
      hub.statuses = [503, 500];
      await replace(newsroom().map((r) => (r.id === 'korea-market' ? { ...r, body: '<p>Changed.</p>' } : r)));
      await publisher.idle();
      // 18 URLs, two of them refused once each, then accepted.
      expect(hub.received).toHaveLength(20);
      expect(new Set(receivedUrls(hub)).size).toBe(18);
      expect(logs.filter((l) => /failed \(HTTP 50[03]\); retrying in 5 ms/.test(l))).toHaveLength(2);
      expect(logs.filter((l) => l.includes('accepted publish'))).toHaveLength(18);
    });

    it('gives up after the configured attempts and says so', async () => {
      const { hub, store, replace, publisher, logs } = await setUp(harness, { attempts: 2 });
      hub.statuses = Array.from({ length: 100 }, () => 500);
      await replace(newsroom().filter((r) => r.id !== 'china-flood'));
      await publisher.idle();
      const urls = new Set(receivedUrls(hub));
      expect(hub.received).toHaveLength(urls.size * 2);
      expect(logs.filter((l) => l.startsWith('websub: gave up publishing'))).toHaveLength(urls.size);
    });

    it('pings when an embargoed article is released, without any data change', async () => {
      const start = Date.now();
      // A second ahead: opening a store (a database sync) must not outlast the embargo.
      const embargoed = makeRecord({ id: 'embargoed', section: 'World', tags: ['Secret'], language: 'en', credits: [{ name: 'Cy Park', role: 'reporter' }], published: new Date(start + 1000).toISOString() });
      const hub = await startHub();
      const opened = await harness.open([...newsroom(), embargoed]);
      cleanups.push(() => opened.close());
      const { store } = opened;
      const publisher = startWebSubPublisher({ hub: hub.url, store, log: () => undefined, clock: () => new Date() });
      cleanups.push(() => hub.close(), () => publisher.stop());
      await hub.waitFor(15);
      await publisher.idle();
      expect(Date.now()).toBeGreaterThanOrEqual(start + 1000);
      expect(receivedUrls(hub)).toEqual(urlsOf('', '/authors/cy-park', '/languages/en', '/sections/world', '/tags/secret'));
    });

    it('never holds up serving: feeds answer while the hub has not', async () => {
      const { hub, store, replace } = await setUp(harness);
      let open: () => void = () => undefined;
      hub.gate = new Promise((resolve) => (open = resolve));
      const server = await serve([], { store, websubHub: hub.url });
      cleanups.push(server.close);
      await replace(newsroom().slice(1));
      await hub.waitFor(1);
      const res = await rawRequest(`${server.url}/feed.json`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).items).toHaveLength(2);
      open();
    });
  });
});

describe('hub and self links', () => {
  it('are in every format when a hub is configured', async () => {
    const server = await serve(newsroom(), { websubHub: 'https://hub.example.net/' });
    cleanups.push(server.close);
    const rss = (await rawRequest(`${server.url}/tags/weather/rss.xml`)).body.toString();
    expect(rss).toContain('<atom:link href="https://hub.example.net/" rel="hub"/>');
    expect(rss).toContain(`<atom:link href="${BASE}/tags/weather/rss.xml" rel="self" type="application/rss+xml"/>`);
    const atom = (await rawRequest(`${server.url}/tags/weather/atom.xml`)).body.toString();
    expect(atom).toContain('<link rel="hub" href="https://hub.example.net/"/>');
    expect(atom).toContain(`<link rel="self" href="${BASE}/tags/weather/atom.xml"/>`);
    const json = JSON.parse((await rawRequest(`${server.url}/tags/weather/feed.json`)).body.toString()) as { hubs: unknown; feed_url: string };
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example.net/' }]);
    expect(json.feed_url).toBe(`${BASE}/tags/weather/feed.json`);
  });

  it('are absent without a hub', async () => {
    const server = await serve(newsroom());
    cleanups.push(server.close);
    expect((await rawRequest(`${server.url}/rss.xml`)).body.toString()).not.toContain('rel="hub"');
    expect(JSON.parse((await rawRequest(`${server.url}/feed.json`)).body.toString())).not.toHaveProperty('hubs');
  });
});
