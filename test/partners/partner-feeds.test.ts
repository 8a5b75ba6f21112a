import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { FeedCache } from '../../src/http/feed-cache.js';
import { hashSecret } from '../../src/model/secret.js';
import { createLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { parsePartners, type Partner } from '../../src/partners/partner.js';
import { BACKENDS, recordFileName, useBackend } from '../helpers/backends.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { rawRequest } from '../http/feed-client.js';

/** What a partner and the newsroom see of /partners/{id}/: the key, the scope, the delay, the pictures, the caching. */
const NOW = new Date('2024-05-01T12:00:00Z');
const HERALD_KEY = 'wf_herald-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const TIMES_KEY = 'wf_times-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const AFP_PHOTO = 'https://media.example.org/images/paektu-horse.jpg';
const LICENSED_PHOTO = 'https://media.example.org/images/own-photo.jpg';
const FREED_PHOTO = 'https://media.example.org/images/reuters-cleared.jpg';

const PARTNERS: Partner[] = parsePartners(
  JSON.stringify({
    partners: [
      { id: 'daily-herald', hash: hashSecret(HERALD_KEY), services: ['Korean', 'English'], content: 'full', images: 'licensed', delay: '30m' },
      { id: 'evening-times', hash: hashSecret(TIMES_KEY), content: 'headline', images: 'none' },
    ],
  }),
  'test partners',
);

const at = (minutesBeforeNow: number) => new Date(NOW.getTime() - minutesBeforeNow * 60_000).toISOString();
const RECORDS = [
  makeRecord({
    id: 'border-crackdown',
    service: 'Korean',
    published: at(120),
    body: `<p>Text.</p><figure><img src="${AFP_PHOTO}" alt="horse"><figcaption>Released by KCNA via AFP</figcaption></figure><p>More <a href="${AFP_PHOTO}">photo</a>.</p>`,
    images: [
      { url: AFP_PHOTO, credit: 'KCNA via AFP', caption: 'Kim on a white horse', bytes: 1000 },
      { url: LICENSED_PHOTO, credit: 'Korean Service', bytes: 2000 },
      { url: FREED_PHOTO, credit: 'Reuters', rights: { syndicate: true, terms: 'Partners may republish with credit.' } },
    ],
  }),
  makeRecord({ id: 'tibet-school', service: 'Tibetan', published: at(90), images: [] }),
  makeRecord({ id: 'fresh-story', service: 'English', published: at(10), images: [] }),
];

const FORMATS = ['rss.xml', 'atom.xml', 'feed.json', 'ninjs.json'] as const;

describe.each(BACKENDS)('partner feeds on the $name backend', (backend) => {
  const harness = useBackend(backend);
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function start(clock: () => Date = () => NOW, site: Record<string, unknown> = {}) {
    const opened = await harness.openDir((dataDir) => {
      writeFileSync(join(dataDir, 'site.json'), JSON.stringify({ ...SITE_RECORD, agencies: ['AFP', 'Reuters'], ...site }));
      RECORDS.forEach((record, i) => writeFileSync(join(dataDir, 'articles', recordFileName(record, i)), JSON.stringify(record)));
    });
    closers.push(opened.close);
    let log = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void ((log += chunk.toString()), done()) });
    const metrics = createMetrics();
    const app = createApp({ store: opened.store, clock, log: () => undefined, logger: createLogger({ level: 'info', pretty: false, destination: sink }), metrics, partners: PARTNERS, feedCache: new FeedCache({ maxEntries: 1000, maxBytes: 1 << 26 }) });
    const server = await listen(app);
    closers.push(server.close);
    return { url: server.url, log: () => log, metrics };
  }

  it('answers 401, the same answer, for a missing key, a wrong key, another partner\'s key and an unknown partner', async () => {
    const { url } = await start();
    const answers = await Promise.all([
      rawRequest(`${url}/partners/daily-herald/rss.xml`),
      rawRequest(`${url}/partners/daily-herald/rss.xml`, { authorization: 'Bearer wrong' }),
      rawRequest(`${url}/partners/daily-herald/rss.xml?key=wrong`),
      rawRequest(`${url}/partners/daily-herald/rss.xml`, { authorization: `Bearer ${TIMES_KEY}` }),
      rawRequest(`${url}/partners/no-such-paper/rss.xml`, { authorization: `Bearer ${HERALD_KEY}` }),
      rawRequest(`${url}/partners/no-such-paper/rss.xml`),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="wirefeed partners"');
      expect(answer.body.toString()).toBe(answers[0]?.body.toString());
    }
  });

  it('serves only stories in scope, past the delay, without the agency photo anywhere, in every format', async () => {
    const { url } = await start();
    for (const file of FORMATS) {
      const res = await rawRequest(`${url}/partners/daily-herald/${file}`, { authorization: `Bearer ${HERALD_KEY}` });
      expect(res.status, file).toBe(200);
      const body = res.body.toString();
      expect(body, file).toContain('border-crackdown');
      expect(body, file).not.toContain('tibet-school');
      expect(body, file).not.toContain('fresh-story');
      expect(body, file).not.toContain('paektu-horse');
      expect(body, file).toContain('own-photo.jpg');
      // Atom carries the lead picture only (one enclosure link); the others carry every picture.
      if (file !== 'atom.xml') expect(body, file).toContain('reuters-cleared.jpg');
      expect(body, file).not.toContain(HERALD_KEY);
      expect(res.headers['cache-control'], file).toMatch(/^private, max-age=\d+$/);
    }
    // The public feeds are unchanged: site.json does not set publicImages.
    for (const file of FORMATS) expect((await rawRequest(`${url}/${file}`)).body.toString(), file).toContain('paektu-horse');
    const ninjs = JSON.parse((await rawRequest(`${url}/partners/daily-herald/ninjs.json`, { authorization: `Bearer ${HERALD_KEY}` })).body.toString()) as { associations: { associations?: { uri: string; usageTerms?: string }[] }[] };
    const pictures = ninjs.associations.flatMap((item) => item.associations ?? []);
    expect(pictures.find((p) => p.uri === FREED_PHOTO)?.usageTerms).toBe('Partners may republish with credit.');
  });

  it('applies the partners\' picture rule to the public feeds when site.json sets publicImages: "licensed"', async () => {
    const { url } = await start(() => NOW, { publicImages: 'licensed' });
    for (const file of FORMATS) {
      const body = (await rawRequest(`${url}/${file}`)).body.toString();
      expect(body, file).not.toContain('paektu-horse');
      expect(body, file).toContain('own-photo.jpg');
      expect(body, file).toContain('tibet-school');
    }
  });

  it('releases a delayed story on time, shortening Cache-Control until then', async () => {
    let now = NOW;
    const { url } = await start(() => now);
    const get = () => rawRequest(`${url}/partners/daily-herald/feed.json`, { authorization: `Bearer ${HERALD_KEY}` });
    const before = await get();
    // fresh-story was published 10 minutes ago: with a 30-minute delay it is released in 20.
    expect(before.headers['cache-control']).toBe('private, max-age=300');
    now = new Date(NOW.getTime() + 19 * 60_000 + 30_000);
    const close = await get();
    expect(close.headers['cache-control']).toBe('private, max-age=30');
    expect(close.body.toString()).not.toContain('fresh-story');
    now = new Date(NOW.getTime() + 20 * 60_000);
    expect((await get()).body.toString()).toContain('fresh-story');
  });

  it('gives headline partners no body, summary or picture', async () => {
    const { url } = await start();
    for (const file of FORMATS) {
      const body = (await rawRequest(`${url}/partners/evening-times/${file}`, { authorization: `Bearer ${TIMES_KEY}` })).body.toString();
      expect(body, file).toContain('fresh-story');
      for (const absent of ['Test body', 'Test summary', 'media.example.org', 'content:encoded', '<content', 'content_html', '"bodies"']) expect(body, `${file}: ${absent}`).not.toContain(absent);
    }
  });

  it('puts the key in paging links only when it came in the URL, and never in a log line or metric', async () => {
    const { url, log, metrics } = await start();
    const viaHeader = (await rawRequest(`${url}/partners/evening-times/feed.json?limit=1`, { authorization: `Bearer ${TIMES_KEY}` })).body.toString();
    const header = JSON.parse(viaHeader) as { next_url?: string; feed_url: string };
    expect(header.next_url).toMatch(/^https:\/\/feeds\.example\.org\/partners\/evening-times\/feed\.json\?limit=1&before=/);
    expect(viaHeader).not.toContain(TIMES_KEY);
    const viaUrl = JSON.parse((await rawRequest(`${url}/partners/evening-times/feed.json?limit=1&key=${TIMES_KEY}`)).body.toString()) as { next_url?: string; feed_url: string };
    expect(viaUrl.next_url).toContain(`key=${TIMES_KEY}`);
    expect(viaUrl.feed_url).toContain(`key=${TIMES_KEY}`);
    // The next page, followed as a reader would, is the second story.
    const second = (await rawRequest(`${url}${new URL(viaUrl.next_url ?? '').pathname}${new URL(viaUrl.next_url ?? '').search}`)).body.toString();
    expect(JSON.parse(second).items).toHaveLength(1);
    expect(log()).toContain('/partners/evening-times/feed.json');
    expect(log()).not.toContain(TIMES_KEY);
    expect(await metrics.registry.metrics()).not.toContain(TIMES_KEY);
  });

  it('answers conditional GETs and compresses, with ETags of its own', async () => {
    const { url } = await start();
    const auth = { authorization: `Bearer ${HERALD_KEY}` };
    const first = await rawRequest(`${url}/partners/daily-herald/atom.xml`, auth);
    const etag = String(first.headers.etag);
    const publicEtag = String((await rawRequest(`${url}/atom.xml`)).headers.etag);
    expect(etag).not.toBe(publicEtag);
    expect((await rawRequest(`${url}/partners/daily-herald/atom.xml`, { ...auth, 'if-none-match': etag })).status).toBe(304);
    const gz = await rawRequest(`${url}/partners/daily-herald/atom.xml`, { ...auth, 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    // A 304 needs the key too: the validator alone proves nothing.
    expect((await rawRequest(`${url}/partners/daily-herald/atom.xml`, { 'if-none-match': etag })).status).toBe(401);
  });

  it('serves the filtered feeds under the partner, within its scope', async () => {
    const { url } = await start();
    const auth = { authorization: `Bearer ${HERALD_KEY}` };
    const res = await rawRequest(`${url}/partners/daily-herald/sections/korea/rss.xml`, auth);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain('border-crackdown');
    expect(res.body.toString()).not.toContain('tibet-school');
    expect((await rawRequest(`${url}/partners/daily-herald/tags/no-such-tag/rss.xml`, auth)).status).toBe(404);
  });
});
