// Section 4 of `npm run bench` (issue 23, item 5): does a PostgreSQL replica's memory stay flat under
// repeated load? One replica on a scratch database (on DATABASE_URL's server; the bench skips the section
// without it), a hub that answers every ping:
//   corpus load   gen-corpus --database into the database while the replica runs (a delivery per batch:
//                 tens of thousands of hub pings, what grew replicas in issue 23's soak); resident memory after;
//   rounds        each round reads every feed there is (main, sections, tags, languages, authors) in three
//                 formats, gzip and identity, their second pages, and the ninjs/sitemap documents, while
//                 writes go through the API at a steady rate (new articles and edits, on the corpus's tags);
//                 resident memory, V8 heap and memory outside it after each round.
// Target: resident memory grows ≤ 10 % between the second and the last round (the first fills the response
// cache to its budget, FEED_CACHE_MB).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const TOKEN = 'bench-memory-token';
export const FLAT_TARGET = 0.1;

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Heap in use, reserved, and memory outside the V8 heap (buffers), in MB, from the replica's /metrics. */
async function heapMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1048576;
  return { used: mb('nodejs_heap_size_used_bytes'), total: mb('nodejs_heap_size_total_bytes'), external: mb('nodejs_external_memory_bytes'), cache: mb('wirefeed_feed_cache_bytes') };
}

/** Runs `paths` through `concurrency` workers; each GET read to its end. */
async function readAll(url, paths, concurrency, headers) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      const res = await fetch(`${url}${path}`, { headers }).catch(() => undefined);
      await res?.arrayBuffer();
      if (res?.status !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

function article(id, n, tags, section) {
  return {
    id,
    url: `https://news.example.org/bench/${id}.html`,
    headline: `Bench story ${id} ${n}`,
    summary: 'Summary.',
    body: `<p>${'Body text of a bench story. '.repeat(40)}${n}</p>`,
    published: new Date(Date.now() - 60_000 - n * 1000).toISOString(),
    language: 'en',
    section,
    tags,
    credits: [{ name: 'Ann Lee', role: 'reporter' }],
  };
}

/**
 * options: { dist, count, rounds, writesPerSecond, row, sleep, nextPort, say }.
 * Returns the figures, or undefined without DATABASE_URL.
 */
export async function benchReplicaMemory(options) {
  const { dist, count, rounds, row, sleep, say = () => undefined } = options;
  const base = process.env.DATABASE_URL;
  if (!base) {
    row('4 memory', 'replica memory under repeated load', 'skipped', '', '', 'set DATABASE_URL to a PostgreSQL server');
    return undefined;
  }
  // options.database: an already loaded database to reuse (exploration), neither loaded nor dropped here.
  const dbName = `wirefeed_bench_memory_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  if (!options.database) {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}"`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
  }
  const dbUrl = new URL(options.database ?? base);
  if (!options.database) dbUrl.pathname = `/${dbName}`;
  const env = { ...process.env, DATABASE_URL: dbUrl.href };
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bench-memory-'));
  let pings = 0;
  const hub = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      pings += 1;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((resolve) => hub.listen(0, '127.0.0.1', resolve));
  let child;
  try {
    if (!options.database) execFileSync(process.execPath, [join(dist, 'cli', 'migrate.js')], { env, stdio: 'ignore' });
    // site.json first (a corpus of one article into the folder), then the replica, then the real load.
    execFileSync(process.execPath, [join(dist, 'cli', 'wirefeed.js'), 'gen-corpus', '--out', dir, '--count', '1', '--force'], { env, stdio: 'ignore' });
    const port = options.nextPort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(dist, 'main.js')], {
      env: { ...env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', METRICS: 'true', INGEST_TOKEN: TOKEN, WEBSUB_HUB: `http://127.0.0.1:${hub.address().port}/publish`, ...options.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    options.onChild?.(child);
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (child.exitCode !== null) throw new Error('replica exited during start');
      await sleep(50);
    }
    const startMb = rssMb(child.pid);
    const loaded = performance.now();
    if (!options.database) execFileSync(process.execPath, [join(dist, 'cli', 'wirefeed.js'), 'gen-corpus', '--out', join(dir, 'corpus'), '--count', String(count), '--database'], { env, stdio: 'ignore' });
    await sleep(3000);
    const loadMb = rssMb(child.pid);
    say(`corpus of ${count} loaded in ${((performance.now() - loaded) / 1000).toFixed(0)} s; ${pings} hub pings; RSS ${startMb.toFixed(0)} → ${loadMb.toFixed(0)} MB`);

    const client = new pg.Client({ connectionString: dbUrl.href });
    await client.connect();
    const feeds = (await client.query("SELECT DISTINCT kind, slug FROM feed_entries ORDER BY kind, slug")).rows;
    const tags = (await client.query("SELECT DISTINCT name FROM feed_entries WHERE kind = 'tag' ORDER BY name")).rows.map((r) => r.name);
    const sections = (await client.query("SELECT DISTINCT name FROM feed_entries WHERE kind = 'section' ORDER BY name")).rows.map((r) => r.name);
    await client.end();
    const folder = { section: 'sections', tag: 'tags', language: 'languages', author: 'authors' };
    const files = ['rss.xml', 'atom.xml', 'feed.json'];
    const every = options.every ?? 1;
    const paths = [...files.map((f) => `/${f}`), '/ninjs.json', '/news-sitemap.xml', ...feeds.flatMap(({ kind, slug }) => files.map((f) => `/${folder[kind]}/${encodeURIComponent(slug)}/${f}`))].filter((_, i) => i % every === 0);
    const pages = paths.filter((_, i) => i % 7 === 0).map((p) => `${p}?limit=20`);

    const samples = [];
    let n = 0;
    for (let round = 1; round <= rounds; round += 1) {
      const started = performance.now();
      let reading = true;
      const writes = (async () => {
        const gap = 1000 / (options.writesPerSecond ?? 5);
        while (reading) {
          n += 1;
          // Every other write edits an article of this run, the rest add one: feeds change, the database grows a little.
          const id = `${options.idPrefix ?? 'bench'}-${n % 2 === 0 && n > 2 ? n - 1 : n}`;
          const body = article(id, n, [tags[n % tags.length], tags[(n * 7) % tags.length]], sections[n % sections.length]);
          const res = await fetch(`${url}/api/articles/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
          await res?.arrayBuffer();
          await sleep(gap);
        }
      })();
      let failed = await readAll(url, paths, 6, { 'accept-encoding': 'gzip' });
      failed += await readAll(url, paths, 6, {});
      failed += await readAll(url, pages, 6, { 'accept-encoding': 'gzip, br' });
      reading = false;
      await writes;
      await sleep(2000);
      const sample = { round, seconds: (performance.now() - started) / 1000, requests: paths.length * 2 + pages.length, failed, rss: rssMb(child.pid), ...(await heapMb(url)) };
      samples.push(sample);
      say(`round ${round}: ${sample.requests} reads (${failed} not 200) and ${n} writes in ${sample.seconds.toFixed(0)} s; RSS ${sample.rss.toFixed(0)} MB, heap ${sample.used.toFixed(0)} / ${sample.total.toFixed(0)} MB, external ${sample.external.toFixed(0)} MB, response cache ${sample.cache.toFixed(0)} MB`);
    }
    const second = samples[1] ?? samples[0];
    const last = samples[samples.length - 1];
    const growth = (last.rss - second.rss) / second.rss;
    row('4 memory', `replica RSS after a ${count}-article load (${pings} hub pings)`, loadMb, 'MB', '', `at start ${startMb.toFixed(0)} MB`);
    for (const s of samples) row('4 memory', `RSS after round ${s.round} (${s.requests} reads; heap used / reserved, outside heap, response cache)`, s.rss, 'MB', '', `${s.used.toFixed(0)} / ${s.total.toFixed(0)}, ${s.external.toFixed(0)}, ${s.cache.toFixed(0)} MB`);
    row('4 memory', `RSS growth, round ${second.round} → ${last.round}`, 100 * growth, '%', `≤ ${FLAT_TARGET * 100} %`, pass(growth <= FLAT_TARGET));
    return { startMb, loadMb, pings, samples, growth };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    hub.close();
    rmSync(dir, { recursive: true, force: true });
    if (!options.database) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

const pass = (ok) => (ok ? 'met' : 'MISSED');
