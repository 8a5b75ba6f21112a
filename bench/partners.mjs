// `node bench/partners.mjs [--count N]`: what a partner's scope costs. Cold renders (a fresh app each
// time, so nothing is cached) of the main JSON feed for the public, for an unscoped partner, for a
// partner whose scope covers 99% of the stories and for one whose scope covers 1% (its page is filled by
// reading the feed in steps of 100). Medians of 7, each as a ratio to the public feed measured in the
// same run, with the load average (the machine is shared). Needs `npm run build`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../dist/src/http/app.js';
import { loadSite } from '../dist/src/load/load-data.js';
import { hashSecret } from '../dist/src/model/secret.js';
import { parsePartners } from '../dist/src/partners/partner.js';
import { openFilesStore } from '../dist/src/store/files/open-files-store.js';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const COUNT = args.includes('--count') ? Number(args[args.indexOf('--count') + 1]) : 10_000;
const root = mkdtempSync(join(tmpdir(), 'wirefeed-bench-partners-'));
const dataDir = join(root, 'data');
mkdirSync(join(dataDir, 'articles'), { recursive: true });
writeFileSync(join(dataDir, 'site.json'), JSON.stringify({ title: 'Bench', link: 'https://news.example.org/', language: 'en', feedSize: 50, agencies: ['AFP'] }));
for (let i = 0; i < COUNT; i++) {
  const id = `story-${i}`;
  writeFileSync(join(dataDir, 'articles', `${id}.json`), JSON.stringify({
    id, url: `https://news.example.org/${id}.html`, headline: `Story ${i}`, summary: 'Summary.', body: `<p>Body ${i}</p><figure><img src="https://media.example.org/${id}.jpg"><figcaption>AFP</figcaption></figure>`,
    published: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(), language: 'en', service: i % 100 === 0 ? 'Narrow' : 'Common',
    images: [{ url: `https://media.example.org/${id}.jpg`, credit: i % 2 === 0 ? 'AFP' : 'Staff' }],
  }));
}
const overrides = { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost' };
const store = openFilesStore({ dataDir, site: loadSite(dataDir, overrides), siteOverrides: overrides, watch: false, rescanIntervalMs: 0, log: () => undefined });
await store.whenReady;
const KEY = 'wf_bench-0123456789abcdefghijklmnopqrstuvwxyz0123456';
const partners = parsePartners(JSON.stringify({ partners: [
  { id: 'all', hash: hashSecret(`${KEY}-all`) },
  { id: 'common', hash: hashSecret(`${KEY}-common`), services: ['Common'] },
  { id: 'narrow', hash: hashSecret(`${KEY}-narrow`), services: ['Narrow'] },
] }), 'bench');

async function coldMs(path, key) {
  const app = createApp({ store, log: () => undefined, partners });
  const server = await new Promise((done) => { const s = createServer(app.listener).listen(0, '127.0.0.1', () => done(s)); });
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${server.address().port}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  await res.arrayBuffer();
  const ms = performance.now() - started;
  server.close();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = [['public /feed.json', '/feed.json'], ['partner, no scope', '/partners/all/feed.json', `${KEY}-all`], ['partner, scope 99%', '/partners/common/feed.json', `${KEY}-common`], ['partner, scope 1%', '/partners/narrow/feed.json', `${KEY}-narrow`]];
const times = new Map(cases.map(([name]) => [name, []]));
for (let round = 0; round < 8; round++) for (const [name, path, key] of cases) { const ms = await coldMs(path, key); if (round > 0) times.get(name).push(ms); }
const anchor = median(times.get('public /feed.json'));
console.log(`${COUNT} articles, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const [name] of cases) console.log(`${name.padEnd(22)} ${median(times.get(name)).toFixed(1)} ms  (${(median(times.get(name)) / anchor).toFixed(2)}× public)`);
await store.close();
rmSync(root, { recursive: true, force: true });
