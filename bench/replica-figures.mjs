// The "Running at scale" figures over HTTP, against a database already loaded (gen-corpus --database or sync):
// start to first 200 on /rss.xml, cold main / largest-tag / deep-cursor feeds (gzip), resident memory after
// them, and a write through replica A visible on replica B. Two built server processes on one database.
// Usage: npm run build && DATABASE_URL=postgres://… DATA_DIR=DIR node bench/replica-figures.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { formatCursor } from '../dist/src/model/cursor.js';

const url = process.env.DATABASE_URL;
const dataDir = process.env.DATA_DIR;
if (!url || !dataDir) throw new Error('set DATABASE_URL and DATA_DIR');
const token = 'replica-figures-token-0123456789';
const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });

async function start() {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', INGEST_TOKEN: token, LOG_LEVEL: 'warn', SITE_URL: 'https://feeds.example.org' }, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const ok = await fetch(`${base}/rss.xml`).then((r) => r.status === 200, () => false);
    if (ok) return { child, base, firstOk: performance.now() - started };
    await new Promise((r) => setTimeout(r, 5));
  }
}

const timed = async (address) => {
  const t0 = performance.now();
  const response = await fetch(address, { headers: { 'accept-encoding': 'gzip' } });
  await response.arrayBuffer();
  return { ms: performance.now() - t0, status: response.status };
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const client = new pg.Client({ connectionString: url });
await client.connect();
const count = (await client.query(`SELECT count(*)::int AS n FROM articles`)).rows[0].n;
const largest = (await client.query(`SELECT slug, count(*)::int AS n FROM feed_entries WHERE kind = 'tag' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).rows[0];
const depth = Math.floor(count * 0.9);
const deep = (await client.query(`SELECT (extract(epoch FROM published) * 1000)::bigint AS ms, id FROM articles WHERE status = 'published' AND published <= now() ORDER BY published DESC, id OFFSET $1 LIMIT 1`, [depth])).rows[0];
await client.end();

const a = await start();
const b = await start();
const rows = [];
rows.push(['start to first 200 on /rss.xml (replica A, B)', `${a.firstOk.toFixed(0)} ms, ${b.firstOk.toFixed(0)} ms`, '≤ 1 s']);
const tag = await timed(`${b.base}/tags/${largest.slug}/rss.xml`);
rows.push([`cold largest-tag feed (${largest.n} articles)`, `${tag.ms.toFixed(1)} ms (${tag.status})`, '≤ 25 ms']);
const cursor = await timed(`${b.base}/rss.xml?before=${encodeURIComponent(formatCursor({ published: Number(deep.ms), id: deep.id }))}`);
rows.push([`cold cursor page ${depth.toLocaleString('en')} articles deep`, `${cursor.ms.toFixed(1)} ms (${cursor.status})`, '≤ 25 ms']);
const main = await timed(`${b.base}/atom.xml`);
rows.push(['cold main feed (atom, first request of that format)', `${main.ms.toFixed(1)} ms (${main.status})`, '≤ 25 ms']);

const body = { id: 'replica-figures-probe', url: 'https://news.example.org/probe.html', headline: `Probe ${Date.now()}`, body: '<p>Probe.</p>', published: new Date(Date.now() - 1000).toISOString(), language: 'en', section: 'Probe' };
const seen = [];
for (let i = 0; i < 5; i++) {
  body.headline = `Probe ${Date.now()}-${i}`;
  const put = await fetch(`${a.base}/api/articles/${body.id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const t0 = performance.now();
  if (put.status >= 300) throw new Error(`PUT ${put.status}`);
  for (;;) {
    const text = await (await fetch(`${b.base}/rss.xml`)).text();
    if (text.includes(body.headline)) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  seen.push(performance.now() - t0);
}
await fetch(`${a.base}/api/articles/${body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
rows.push(['write on A → visible on B (5 writes)', `median ${seen.sort((x, y) => x - y)[2].toFixed(0)} ms, max ${seen[4].toFixed(0)} ms`, '≤ 1 s']);
rows.push(['resident memory after these runs (A, B)', `${rssMb(a.child.pid).toFixed(0)} MB, ${rssMb(b.child.pid).toFixed(0)} MB`, '≤ 200 MB']);

console.log(`| figure at ${count.toLocaleString('en')} articles | measured | target |\n|---|---|---|`);
for (const [figure, measured, target] of rows) console.log(`| ${figure} | ${measured} | ${target} |`);
a.child.kill();
b.child.kill();
