// `npm run bench -- --store postgres [--count N]`: the "Running at scale" figures (docs/scale.md) for the
// PostgreSQL backend next to their targets, with the ratio to the files backend on the same generated corpus.
// DATABASE_URL names the database to use: empty (it is migrated and loaded with gen-corpus --database) or
// already holding exactly this corpus (reused). The files corpus is generated into the temp folder once.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { formatCursor } from '../dist/src/model/cursor.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'wirefeed.js');
const args = process.argv.slice(2);
const countArg = args.indexOf('--count');
const COUNT = countArg >= 0 ? Number(args[countArg + 1]) : 100_000;
const url = process.env.DATABASE_URL;
if (!url) throw new Error('bench --store postgres: set DATABASE_URL to an empty database (or one loaded by an earlier run)');
const token = 'store-bench-token-0123456789abcdef';
const freePort = () => new Promise((done) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => done(port)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const note = (line) => console.error(`bench: ${line}`);

// ---------------------------------------------------------------- the corpus, in both backends
const filesDir = join(tmpdir(), `wirefeed-bench-files-${COUNT}`);
const dbDir = join(tmpdir(), `wirefeed-bench-db-${COUNT}`);
if (!existsSync(join(filesDir, 'articles'))) {
  note(`generating ${COUNT} article files into ${filesDir}`);
  execFileSync(process.execPath, [CLI, 'gen-corpus', '--count', String(COUNT), '--out', filesDir], { stdio: ['ignore', 'ignore', 'inherit'] });
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
const largest = (await client.query(`SELECT slug, count(*)::int AS n FROM feed_entries WHERE kind = 'tag' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).rows[0];
const depth = Math.floor(COUNT * 0.9);
const deep = (await client.query(`SELECT (extract(epoch FROM published) * 1000)::bigint AS ms, id FROM articles WHERE status = 'published' AND published <= now() ORDER BY published DESC, id OFFSET $1 LIMIT 1`, [depth])).rows[0];
await client.end();

// ---------------------------------------------------------------- measuring one server
async function start(env) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], { env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', INGEST_TOKEN: token, LOG_LEVEL: 'warn', SITE_URL: 'https://feeds.example.org', WATCH: 'false', ...env }, stdio: 'ignore' });
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
const cursor = encodeURIComponent(formatCursor({ published: Number(deep.ms), id: deep.id }));

async function figures(env) {
  const server = await start(env);
  const out = {
    firstOk: server.firstOk,
    tag: await timed(`${server.base}/tags/${largest.slug}/rss.xml`),
    deep: await timed(`${server.base}/rss.xml?before=${cursor}`),
    main: await timed(`${server.base}/atom.xml`),
  };
  out.rss = rssMb(server.child.pid);
  return { server, out };
}

note('measuring the files backend');
const files = await figures({ DATA_DIR: filesDir });
files.server.child.kill();
note('measuring two PostgreSQL replicas');
const a = await figures({ DATA_DIR: filesDir, DATABASE_URL: url });
const b = await start({ DATA_DIR: filesDir, DATABASE_URL: url });
const probe = { id: 'store-bench-probe', url: 'https://news.example.org/probe.html', headline: '', body: '<p>Probe.</p>', published: new Date(Date.now() - 1000).toISOString(), language: 'en', section: 'Probe' };
const seen = [];
for (let i = 0; i < 5; i++) {
  probe.headline = `Probe ${Date.now()}-${i}`;
  const put = await fetch(`${a.server.base}/api/articles/${probe.id}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(probe) });
  const t0 = performance.now();
  if (put.status >= 300) throw new Error(`PUT ${put.status}`);
  while (!(await (await fetch(`${b.base}/rss.xml`)).text()).includes(probe.headline)) await sleep(2);
  seen.push(performance.now() - t0);
}
await fetch(`${a.server.base}/api/articles/${probe.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
a.out.rss = rssMb(a.server.child.pid);
a.server.child.kill();
b.child.kill();

// ---------------------------------------------------------------- npm run sync of the same files, into a scratch database
const syncUrl = new URL(url);
const syncDb = `${decodeURIComponent(syncUrl.pathname.slice(1))}_bench_sync`;
syncUrl.pathname = `/${syncDb}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${syncDb}"`);
await admin.query(`CREATE DATABASE "${syncDb}"`);
let syncFigure = '?';
try {
  note(`syncing the ${COUNT} files into ${syncDb}`);
  const env = { ...process.env, DATABASE_URL: syncUrl.href };
  execFileSync(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'migrate.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const output = execFileSync(process.execPath, [CLI, 'sync', filesDir], { env, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  syncFigure = /\((\d+) articles\/s\)/.exec(output)?.[1] ?? '?';
} finally {
  await admin.query(`DROP DATABASE IF EXISTS "${syncDb}"`);
  await admin.end();
}

const ms = (n) => `${n.toFixed(n >= 100 ? 0 : 1)} ms`;
const ratio = (p, f) => `${(p / f).toFixed(2)}×`;
const rows = [
  ['start to first 200 on /rss.xml', ms(a.out.firstOk), ms(files.out.firstOk), ratio(a.out.firstOk, files.out.firstOk), '≤ 1 s'],
  ['resident memory after the runs', `${a.out.rss.toFixed(0)} MB`, `${files.out.rss.toFixed(0)} MB`, ratio(a.out.rss, files.out.rss), '≤ 200 MB'],
  ['cold main feed (Atom, gzip)', ms(a.out.main), ms(files.out.main), ratio(a.out.main, files.out.main), '≤ 25 ms'],
  [`cold largest-tag feed (${largest.n} articles, gzip)`, ms(a.out.tag), ms(files.out.tag), ratio(a.out.tag, files.out.tag), '≤ 25 ms'],
  [`cold cursor page ${depth.toLocaleString('en')} deep (gzip)`, ms(a.out.deep), ms(files.out.deep), ratio(a.out.deep, files.out.deep), '≤ 25 ms'],
  ['write on replica A → visible on B (median of 5, max)', `${ms(seen.sort((x, y) => x - y)[2])}, ${ms(seen[4])}`, '—', '—', '≤ 1 s'],
  ['gen-corpus --database (articles/s)', loadFigure, '—', '—', 'fast'],
  [`npm run sync of ${COUNT.toLocaleString('en')} files (articles/s)`, syncFigure, '—', '—', '≥ 5,000'],
];
console.log(`| figure at ${COUNT.toLocaleString('en')} articles | postgres | files | ratio | target |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
