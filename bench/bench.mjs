// wirefeed benchmark (issue 7): `npm run bench` (about 8 minutes) or `npm run bench -- --quick` (about 1 minute).
//
// Prints one table, each figure next to its target, and writes the same as JSON
// to bench/results/<time>.json. Serving targets are ratios against baselines measured
// in the same run, because absolute figures on a shared machine move by 15–50 %
// between runs; the scale targets (issue 15) are absolute. Sections:
//   1. serving a cached feed (bench/serve-section.mjs): wirefeed's /rss.xml (gzip) 200 and 304
//      with the access log at info and metrics on, against Express 5 and raw node:http
//      answering with the same bytes and headers, and nginx serving wirefeed's static export
//      with gzip_static; load from a separate process (wrk, or autocannon when wrk is not
//      installed), same connections and duration, alternating runs, medians;
//   2. cold render: a new snapshot to the bytes of the main feed per format, against the
//      bare `feed` library rendering the same 50 items with no corrections;
//   3. scale (bench/scale.mjs): a generated corpus (100,000 articles; 20,000 with --quick):
//      first start and restarts (unchanged, 1,000 changed) to /readyz 200, cold requests of
//      four kinds after a restart, edit-to-visible, peak RSS of each server process; then issue 30's cold
//      pages as medians of five (bench/cold-pages.mjs): a restart's first main-feed request and the largest
//      tag's first request over five restarts, and the main feed at a million articles in PostgreSQL
//      (when DATABASE_URL names the database `--store postgres --count 1000000` loaded);
//   4. memory (bench/replica-memory.mjs, needs DATABASE_URL): a PostgreSQL replica's resident memory
//      after a corpus load (20,000 articles) and after each of 3 rounds of reads of every feed and
//      writes (every sixth feed with --quick); target: ≤ 10 % growth from round 2 to the last.
//
// Run `npm run build` first (the npm script does). Options: --quick, --count N (scale
// corpus size), --keep-corpus (reuse the generated corpus between runs, in the tmp dir),
// --only serve|render|scale|memory|varnish|cold-pg (one section; serving = serve; memory:
// bench/replica-memory.mjs, varnish: bench/varnish-bench.mjs; cold-pg: the main feed at a million
// articles in PostgreSQL, bench/cold-pages.mjs coldMillionPostgres).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { coldMillionPostgres } from './cold-pages.mjs';
import { benchReplicaMemory } from './replica-memory.mjs';
import { benchScale } from './scale.mjs';
import { benchServing } from './serve-section.mjs';
import { benchReadership } from './readership-section.mjs';
import { median, WRK } from './serving.mjs';

const ROOT = resolve(import.meta.dirname, '..');
// --store postgres: the PostgreSQL figures next to the files backend's (bench/store-bench.mjs, docs/scale.md).
if (process.argv.includes('--store')) {
  const store = process.argv[process.argv.indexOf('--store') + 1];
  if (store !== 'postgres') throw new Error(`bench: --store takes "postgres", got ${JSON.stringify(store)}`);
  await import('./store-bench.mjs');
  process.exit(0);
}
// --only varnish: a cached feed through the shipped Varnish against nginx and wirefeed alone, and the poll storm (bench/varnish-bench.mjs).
if (process.argv[process.argv.indexOf('--only') + 1] === 'varnish') await import('./varnish-bench.mjs').then(() => process.exit(0));
const DIST = join(ROOT, 'dist', 'src');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const countArg = args.indexOf('--count');
const SCALE_COUNT = countArg >= 0 ? Number(args[countArg + 1]) : quick ? 20_000 : 100_000;
const SERVE = quick ? { seconds: 2, runs: 2, connections: 50 } : { seconds: 10, runs: 3, connections: 50 };
const RENDER_ITERATIONS = quick ? 15 : 40;
const SMALL_COUNT = 2000;
const onlyArg = args.indexOf('--only');
const ONLY = onlyArg >= 0 ? args[onlyArg + 1] : undefined; // serve (or serving) | render | scale | memory

if (!existsSync(join(DIST, 'main.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` (npm run bench does it for you).');
  process.exit(1);
}

const rows = [];
const row = (section, metric, value, unit, target = '', verdict = '') => {
  rows.push({ section, metric, value, unit, target, verdict });
  console.error(`  ${metric}: ${typeof value === 'number' ? format(value) : value} ${unit} ${target} ${verdict}`);
};
const format = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pass = (ok) => (ok ? 'met' : 'MISSED');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let nextPort = 41000 + Math.floor(Math.random() * 1000);

// ---------------------------------------------------------------- corpus and servers

function generateCorpus(count, dir) {
  const marker = join(dir, `.complete-${count}`);
  if (existsSync(marker)) return { dir, generatedSeconds: undefined };
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  // The corpus generator is a subcommand of the wirefeed command (src/cli/gen-corpus-command.ts).
  execFileSync(process.execPath, [join(DIST, 'cli', 'wirefeed.js'), 'gen-corpus', '--count', String(count), '--out', dir, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(marker, '');
  const generatedSeconds = (performance.now() - started) / 1000;
  // Flush the new files to disk now, so their write-back does not land on the start-up being measured.
  try {
    execFileSync('sync');
  } catch {
    // no sync(1): measure anyway
  }
  return { dir, generatedSeconds };
}

/** Starts wirefeed on DATA_DIR; resolves when /rss.xml first answers 200, with the time since spawn. */
async function startWirefeed(dataDir, extraEnv = {}, { stdout = 'ignore' } = {}) {
  const port = nextPort++;
  const started = performance.now();
  const child = spawn(process.execPath, [join(DIST, 'main.js')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', ...extraEnv },
    stdio: ['ignore', stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`wirefeed exited during start: ${stderr}`);
    try {
      const res = await fetch(`${url}/rss.xml`, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      if (res.status === 200) return { child, url, port, firstOkMs: performance.now() - started };
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
}

function stop(child) {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', r);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Peak resident set of a running process, from /proc (Linux). */
function peakRssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// 1. serving a cached feed: bench/serve-section.mjs

// ---------------------------------------------------------------- 2. cold render

async function benchColdRender(smallDir) {
  console.error(`\n[2] cold render of the main feed (${RENDER_ITERATIONS} new snapshots per format, medians)`);
  const { loadSite, loadArticleFiles, loadArticleFile, ARTICLES_DIR } = await import(join(DIST, 'load', 'load-data.js'));
  const { parseArticle } = await import(join(DIST, 'load', 'article.js'));
  const { createLoadMemo } = await import(join(DIST, 'load', 'load-memo.js'));
  const { buildSnapshot } = await import(join(DIST, 'store', 'snapshot.js'));
  const { parseFeedRequest, resolveFeed } = await import(join(DIST, 'query', 'resolve-feed.js'));
  const { createSnapshotStore } = await import(join(DIST, 'store', 'files', 'files-store.js'));
  const { renderFeed } = await import(join(DIST, 'render', 'render.js'));
  const { toFeedItem, toFeedOptions } = await import(join(DIST, 'map', 'to-feed-model.js'));
  const { Feed } = await import('feed');
  const site = loadSite(smallDir, { fallbackBaseUrl: 'http://127.0.0.1:3000' });
  const files = loadArticleFiles(smallDir, site);
  const base = buildSnapshot(site, files, 1);
  const now = new Date();
  const query = { limit: site.feedSize };
  // The main feed's view of a snapshot, resolved as a request is (query/resolve-feed.ts).
  const resolveFeedView = async (snapshot) => (await resolveFeed(createSnapshotStore(snapshot, () => now), parseFeedRequest('rss', undefined, undefined, {}, site.feedSize), now)).view;
  const links = { rss: 'http://127.0.0.1:3000/rss.xml', atom: 'http://127.0.0.1:3000/atom.xml', json: 'http://127.0.0.1:3000/feed.json' };
  // The records of the newest articles, parsed anew for each snapshot: new Article objects, as a reload makes.
  const newest = base.articles.slice(0, site.feedSize + 10);
  // What a files store holds for its reloads and lazy bodies (load/load-memo.ts): one, as the server has.
  const memo = createLoadMemo();
  const records = newest.map((a) => JSON.parse(readFileSync(join(smallDir, ARTICLES_DIR, a.source.split('/').pop()), 'utf8')));
  const freshSnapshot = (version, lazy) => {
    const byId = new Map(base.articles.map((a) => [a.id, a]));
    const fresh = records.map((record, i) => {
      const name = newest[i].source.split('/').pop();
      if (lazy) return loadArticleFile(smallDir, name, site, undefined, memo).article;
      const { article } = parseArticle(record, newest[i].source, { language: site.language });
      return article;
    });
    for (const a of fresh) byId.set(a.id, a);
    return buildSnapshot(site, [...byId.values()].map((article, i) => ({ name: String(i).padStart(7, '0'), shownAs: article.source, article, errors: [], warnings: [] })), version);
  };

  const figures = {};
  for (const format of ['rss', 'atom', 'json']) {
    const ours = [];
    const oursLazy = [];
    const bare = [];
    for (let i = 0; i < RENDER_ITERATIONS + 3; i++) {
      // Bodies ready in memory (sanitised when the records were parsed): mapping, corrections, rendering.
      const snapshot = freshSnapshot(i + 2, false);
      let t = performance.now();
      const view = await resolveFeedView(snapshot);
      const meta = { title: view.title, description: view.description, links, updated: view.updated };
      const bytes = Buffer.from(renderFeed(format, { site, meta, articles: view.articles }));
      const oursMs = performance.now() - t;
      // The same, with bodies read from disk and sanitised on first use (lazy bodies: what a restart or reload costs).
      const lazySnapshot = freshSnapshot(i + 2, true);
      t = performance.now();
      const lazyView = await resolveFeedView(lazySnapshot);
      Buffer.from(renderFeed(format, { site, meta: { ...meta, updated: lazyView.updated }, articles: lazyView.articles }));
      const lazyMs = performance.now() - t;
      // The bare feed library, same 50 items (the same content strings), no corrections.
      const items = view.articles.map((a) => toFeedItem(a, site));
      t = performance.now();
      const feed = new Feed(toFeedOptions(site, meta));
      for (const item of items) feed.addItem(item);
      const bareBytes = Buffer.from(format === 'rss' ? feed.rss2() : format === 'atom' ? feed.atom1() : feed.json1());
      const bareMs = performance.now() - t;
      if (i >= 3) {
        ours.push(oursMs);
        oursLazy.push(lazyMs);
        bare.push(bareMs);
      }
      if (i === 0) figures[`${format}Bytes`] = { ours: bytes.length, bare: bareBytes.length };
    }
    const [o, l, b] = [median(ours), median(oursLazy), median(bare)];
    figures[format] = { oursMs: o, oursLazyBodiesMs: l, bareFeedMs: b, ratio: o / b };
    row('2 render', `${format}: bare feed library`, b, 'ms');
    // Information, no longer a target (issue 15): what a user notices is the cold request, measured in section 3.
    row('2 render', `${format}: wirefeed, new snapshot → bytes`, o, 'ms', '', `${(o / b).toFixed(2)} × feed (information)`);
    row('2 render', `${format}: same, bodies read + sanitised on first use`, l, 'ms', '', `${(l / b).toFixed(2)} × feed (no target: sanitising moved here from load)`);
  }
  return figures;
}

// ---------------------------------------------------------------- main

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.versions.node}, ${process.platform}`;
console.error(`wirefeed bench${quick ? ' --quick' : ''} on ${machine}`);
const smallDir = join(tmpdir(), `wirefeed-bench-small-${process.pid}`);
generateCorpus(SMALL_COUNT, smallDir);
const results = { date: new Date().toISOString(), quick, machine, loadavg: execFileSync('cat', ['/proc/loadavg']).toString().trim(), loadGenerator: WRK ? 'wrk' : 'autocannon' };
try {
  if (!ONLY || ONLY === 'serve' || ONLY === 'serving') {
    results.serving = await benchServing(smallDir, { startWirefeed, stop, row, nextPort: () => nextPort++, serve: SERVE });
  }
  // --only readership: just the counting on / off rows (bench/readership-section.mjs).
  if (!ONLY || ONLY === 'serve' || ONLY === 'serving' || ONLY === 'readership') results.readership = await benchReadership(smallDir, { startWirefeed, stop, row, serve: SERVE });
  if (!ONLY || ONLY === 'render') results.coldRender = await benchColdRender(smallDir);
  if (!ONLY || ONLY === 'scale') {
    results.scale = await benchScale({ count: SCALE_COUNT, dist: DIST, row, stop, peakRssMb, sleep, generateCorpus, nextPort: () => nextPort++, keepCorpus: args.includes('--keep-corpus'), quick });
    // Issue 30's third cold page: the main feed at a million articles in PostgreSQL (bench/cold-pages.mjs).
    results.coldPostgres = await coldMillionPostgres({ row, stop, sleep, nextPort: () => nextPort++ });
  }
  // --only cold-pg: just that row (the database loaded once, measured again after a change).
  if (ONLY === 'cold-pg') results.coldPostgres = await coldMillionPostgres({ row, stop, sleep, nextPort: () => nextPort++ });
  if (!ONLY || ONLY === 'memory') {
    console.error(`\n[4] replica memory under repeated load (PostgreSQL, 20,000 articles, 3 rounds${quick ? ', every sixth feed' : ''})`);
    results.memory = await benchReplicaMemory({ dist: DIST, count: 20_000, rounds: 3, every: quick ? 6 : 1, row, sleep, nextPort: () => nextPort++, say: (line) => console.error(`  ${line}`) });
  }
} finally {
  rmSync(smallDir, { recursive: true, force: true });
}
results.rows = rows;

const widths = [10, 52, 14, 18];
const cell = (s, w) => String(s).padEnd(w);
const lines = [
  `wirefeed bench${quick ? ' --quick (short runs, ' + SCALE_COUNT + '-article corpus)' : ''} — ${machine}; load average at start ${results.loadavg.split(' ').slice(0, 3).join(' ')}`,
  '',
  `| ${cell('section', widths[0])} | ${cell('figure', widths[1])} | ${cell('value', widths[2])} | ${cell('target', widths[3])} | result`,
  `|${'-'.repeat(widths[0] + 2)}|${'-'.repeat(widths[1] + 2)}|${'-'.repeat(widths[2] + 2)}|${'-'.repeat(widths[3] + 2)}|-------`,
  ...rows.map((r) => `| ${cell(r.section, widths[0])} | ${cell(r.metric, widths[1])} | ${cell(typeof r.value === 'number' ? `${format(r.value)} ${r.unit}` : `${r.value}${r.unit ? ` ${r.unit}` : ''}`, widths[2])} | ${cell(r.target, widths[3])} | ${r.verdict}`),
];
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const out = join(ROOT, 'bench', 'results', `${results.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults: ${out}`);
