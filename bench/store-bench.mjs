// `npm run bench -- --store postgres [--count N]`: the "Running at scale" figures (docs/scale.md) for the
// PostgreSQL backend next to their targets, with the ratio to the files backend on a generated corpus of
// min(N, 100,000) articles (the comparison; the files backend at a million does not fit in memory).
// DATABASE_URL names the database to use: empty (it is migrated and loaded with gen-corpus --database) or
// already holding exactly this corpus (reused). The files corpus is generated into the temp folder once.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { formatCursor } from '../dist/src/model/cursor.js';
import { alternate, median, rawGet, startBaseline, WRK } from './serving.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'wirefeed.js');
const args = process.argv.slice(2);
const countArg = args.indexOf('--count');
const COUNT = countArg >= 0 ? Number(args[countArg + 1]) : 100_000;
const FILES_COUNT = Math.min(COUNT, 100_000);
const SERVE = { runs: 3, seconds: 5, connections: 50 };
const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench --store postgres: set DATABASE_URL to an empty database (or one loaded by an earlier run)');
const token = 'store-bench-token-0123456789abcdef';
const freePort = () => new Promise((done) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => done(port)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const note = (line) => console.error(`bench: ${line}`);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---------------------------------------------------------------- the corpus, in both backends
const filesDir = join(tmpdir(), `wirefeed-bench-files-${FILES_COUNT}`);
const dbDir = join(tmpdir(), `wirefeed-bench-db-${COUNT}`);
const filesComplete = () => existsSync(join(filesDir, 'articles')) && readdirSync(join(filesDir, 'articles')).length >= FILES_COUNT;
if (!filesComplete()) {
  note(`generating ${FILES_COUNT} article files into ${filesDir}`);
  execFileSync(process.execPath, [CLI, 'gen-corpus', '--count', String(FILES_COUNT), '--out', filesDir, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
execFileSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'migrate.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
const client = new pg.Client({ connectionString: url });
await client.connect();
const present = (await client.query('SELECT count(*)::int AS n FROM articles')).rows[0].n;
let loadFigure = 'reused';
if (present === 0) {
  note(`loading ${COUNT} articles with gen-corpus --database`);
  const output = execFileSync(process.execPath, [CLI, 'gen-corpus', '--count', String(COUNT), '--out', dbDir, '--database'], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  loadFigure = /\((\d+) articles\/s\)/.exec(output)?.[1] ?? '?';
} else if (present !== COUNT) {
  throw new Error(`the database holds ${present} articles, not ${COUNT}: give an empty one`);
}
if (!existsSync(join(dbDir, 'site.json'))) execFileSync(process.execPath, [CLI, 'gen-corpus', '--count', '1', '--out', dbDir, '--force'], { stdio: 'ignore' });

/** The largest tag, the runner-up (to warm up with) and the cursor of the article 90% deep, read from a loaded database. */
async function landmarks(db, count) {
  const [largest, other] = (await db.query(`SELECT slug, count(*)::int AS n FROM feed_entries WHERE kind = 'tag' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2`)).rows;
  const at = async (offset) => (await db.query(`SELECT (extract(epoch FROM published) * 1000)::bigint AS ms, id FROM articles WHERE status = 'published' AND published <= now() ORDER BY published DESC, id OFFSET $1 LIMIT 1`, [offset])).rows[0];
  const cursorOf = (row) => encodeURIComponent(formatCursor({ published: Number(row.ms), id: row.id }));
  // Finding positions with OFFSET is fine in a benchmark; the store itself never uses OFFSET.
  return { largest, other, depth: Math.floor(count * 0.9), deep: cursorOf(await at(Math.floor(count * 0.9))), half: cursorOf(await at(Math.floor(count * 0.5))) };
}
const pgMarks = await landmarks(client, COUNT);
await client.end();

// ---------------------------------------------------------------- npm run sync of the files, into a scratch database
const syncUrl = new URL(url);
const syncDb = `${decodeURIComponent(syncUrl.pathname.slice(1))}_bench_sync`;
syncUrl.pathname = `/${syncDb}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${syncDb}"`);
await admin.query(`CREATE DATABASE "${syncDb}"`);
let syncFigure = '?';
let filesMarks;
try {
  note(`syncing the ${FILES_COUNT} files into ${syncDb} (load average ${loadavg()})`);
  const env = { ...process.env, DATABASE_URL: syncUrl.href };
  execFileSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'migrate.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const output = execFileSync(process.execPath, [CLI, 'sync', filesDir], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  syncFigure = /\((\d+) articles\/s\)/.exec(output)?.[1] ?? '?';
  // The files corpus's own landmarks, from the same records as synced.
  const synced = new pg.Client({ connectionString: syncUrl.href });
  await synced.connect();
  filesMarks = await landmarks(synced, FILES_COUNT);
  await synced.end();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${syncDb}"`);
  await admin.end();
}

// ---------------------------------------------------------------- measuring one server
async function start(env) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], { env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', INGEST_TOKEN: token, NODE_ENV: 'production', SITE_URL: 'https://feeds.example.org', WATCH: 'false', ...env }, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (await fetch(`${base}/rss.xml`).then((r) => r.status === 200, () => false)) return { child, base, firstOk: performance.now() - started };
    await sleep(5);
  }
}
const timed = async (address) => {
  const t0 = performance.now();
  const response = await fetch(address, { headers: { 'accept-encoding': 'gzip' } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${address}: ${response.status}`);
  return performance.now() - t0;
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/**
 * Cold requests: none of these URLs has been asked for. The server is warmed up first with feeds that
 * share none of the target pages (the runner-up tag in each format, a page half-way down), so the figures
 * are a feed's cost and not the process's first-use code loading. Each target is asked once as is (the
 * cold request), then four times more with a `since` far in the past: the same 50 articles under a URL
 * not yet cached. The PostgreSQL store reads those anew each time, and renders the items it has not stored
 * (article_fragments, migration 10): the first request of a page renders them, the four after take them from
 * the table. The files backend keeps rendered items by article in memory, so only its first figure is cold.
 */
async function coldFigures(base, marks) {
  for (const path of ['/healthz', `/tags/${marks.other.slug}/rss.xml`, `/tags/${marks.other.slug}/atom.xml`, `/tags/${marks.other.slug}/feed.json`, `/rss.xml?before=${marks.half}`]) await timed(`${base}${path}`);
  const targets = { main: '/atom.xml', tag: `/tags/${marks.largest.slug}/rss.xml`, deep: `/rss.xml?before=${marks.deep}` };
  const out = {};
  for (const [name, path] of Object.entries(targets)) {
    const first = await timed(`${base}${path}`);
    const again = [];
    for (let day = 1; day <= 4; day++) again.push(await timed(`${base}${path}${path.includes('?') ? '&' : '?'}since=2000-01-0${day}T00:00:00Z`));
    out[name] = { first, median: median([first, ...again]) };
  }
  return out;
}

/** Cached 200 (gzip) and 304 of /rss.xml against Express 5 answering with the same bytes, alternating runs. */
async function cachedServing(base) {
  const res = await rawGet(`${base}/rss.xml`, { 'Accept-Encoding': 'gzip' });
  const bodyFile = join(tmpdir(), `wirefeed-store-bench-body-${process.pid}.gz`);
  writeFileSync(bodyFile, res.body);
  const express = await startBaseline('express', await freePort(), bodyFile, res.headers.etag, res.headers['content-type']);
  try {
    const get = { 'Accept-Encoding': 'gzip' };
    const cond = { 'Accept-Encoding': 'gzip', 'If-None-Match': res.headers.etag };
    // The Express route makes its own ETag from the bytes (bench/baseline-server.mjs): revalidate with that one.
    const expressCond = { 'Accept-Encoding': 'gzip', 'If-None-Match': (await rawGet(`${express.url}/rss.xml`, get)).headers.etag };
    return (await alternate([['wirefeed 200', `${base}/rss.xml`, get], ['express 200', `${express.url}/rss.xml`, get], ['wirefeed 304', `${base}/rss.xml`, cond], ['express 304', `${express.url}/rss.xml`, expressCond]], SERVE)).medians;
  } finally {
    express.child.kill();
    rmSync(bodyFile, { force: true });
  }
}

note(`measuring the files backend at ${FILES_COUNT} articles (load average ${loadavg()})`);
const files = await start({ DATA_DIR: filesDir, LOG_LEVEL: 'warn' });
const filesOut = { firstOk: files.firstOk, cold: await coldFigures(files.base, filesMarks) };
filesOut.rss = rssMb(files.child.pid);
files.child.kill();

note(`measuring two PostgreSQL replicas at ${COUNT} articles (load average ${loadavg()})`);
// Replica A logs as production would (LOG_LEVEL=info: one access line per request), so its cached rate is the real one.
const a = await start({ DATA_DIR: dbDir, DATABASE_URL: url, LOG_LEVEL: 'info' });
const pgOut = { firstOk: a.firstOk, cold: await coldFigures(a.base, pgMarks) };
const b = await start({ DATA_DIR: dbDir, DATABASE_URL: url, LOG_LEVEL: 'warn' });
const probe = { id: 'store-bench-probe', url: 'https://news.example.org/probe.html', headline: '', body: '<p>Probe.</p>', published: new Date(Date.now() - 1000).toISOString(), language: 'en', section: 'Probe' };
const seen = [];
for (let i = 0; i < 5; i++) {
  probe.headline = `Probe ${Date.now()}-${i}`;
  const put = await fetch(`${a.base}/api/articles/${probe.id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(probe) });
  const t0 = performance.now();
  if (put.status >= 300) throw new Error(`PUT ${put.status}`);
  while (!(await (await fetch(`${b.base}/rss.xml`)).text()).includes(probe.headline)) await sleep(2);
  seen.push(performance.now() - t0);
}
await fetch(`${a.base}/api/articles/${probe.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
b.child.kill();
note(`cached serving on replica A against Express (${WRK ? 'wrk' : 'autocannon'}, ${SERVE.runs} × ${SERVE.seconds} s, c=${SERVE.connections}; load average ${loadavg()})`);
const serving = await cachedServing(a.base);
pgOut.rss = rssMb(a.child.pid);
a.child.kill();

const ms = (n) => `${n.toFixed(n >= 100 ? 0 : 1)} ms`;
const ratio = (p, f) => `${(p / f).toFixed(2)}×`;
const coldRow = (label, key) => [label, `${ms(pgOut.cold[key].first)} (median of 5: ${ms(pgOut.cold[key].median)})`, ms(filesOut.cold[key].first), ratio(pgOut.cold[key].first, filesOut.cold[key].first), '≤ 25 ms'];
const rows = [
  ['start to first 200 on /rss.xml', ms(pgOut.firstOk), ms(filesOut.firstOk), ratio(pgOut.firstOk, filesOut.firstOk), '≤ 1 s'],
  ['resident memory after the runs', `${pgOut.rss.toFixed(0)} MB`, `${filesOut.rss.toFixed(0)} MB`, ratio(pgOut.rss, filesOut.rss), '≤ 200 MB'],
  coldRow('cold main feed (Atom, gzip)', 'main'),
  coldRow(`cold largest-tag feed (${pgMarks.largest.n.toLocaleString('en')} / ${filesMarks.largest.n.toLocaleString('en')} articles, RSS, gzip)`, 'tag'),
  coldRow(`cold cursor page ${pgMarks.depth.toLocaleString('en')} / ${filesMarks.depth.toLocaleString('en')} deep (RSS, gzip)`, 'deep'),
  ['write on replica A → visible on B (median of 5, max)', `${ms(median(seen))}, ${ms(Math.max(...seen))}`, '—', '—', '≤ 1 s'],
  ['cached 200 gzip, replica A (LOG_LEVEL=info)', `${serving['wirefeed 200'].toFixed(0)} req/s`, '—', `${ratio(serving['wirefeed 200'], serving['express 200'])} Express (${serving['express 200'].toFixed(0)} req/s)`, '≥ 3× Express'],
  ['cached 304, replica A (LOG_LEVEL=info)', `${serving['wirefeed 304'].toFixed(0)} req/s`, '—', `${ratio(serving['wirefeed 304'], serving['express 304'])} Express (${serving['express 304'].toFixed(0)} req/s)`, '≥ 3× Express'],
  ['gen-corpus --database (articles/s)', loadFigure, '—', '—', 'fast'],
  [`npm run sync of ${FILES_COUNT.toLocaleString('en')} files (articles/s)`, syncFigure, '—', '—', '≥ 5,000'],
];
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}; load average at the end ${loadavg()}\n`);
console.log(`| figure | postgres, ${COUNT.toLocaleString('en')} articles | files, ${FILES_COUNT.toLocaleString('en')} articles | ratio | target |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
