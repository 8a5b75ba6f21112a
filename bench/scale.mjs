// Section 3 of `npm run bench`: the files backend at scale (issue 15). On a generated corpus
// (100,000 articles; 20,000 with --quick):
//   first start   spawn → /readyz 200 with no article index (every file read), then the index write;
//   restart       spawn → /readyz 200 with the index and every file unchanged;
//   cold requests on the restarted server, once its background preparation is logged as done:
//                 the main feed, the largest tag, a language and a deep cursor page, 50 full items
//                 each, gzip, request to last byte, each the first request for that URL;
//   reload        one file edited → visible in /rss.xml;
//   restart with 1,000 files changed (rewritten with another headline), then put back;
//   peak RSS      VmHWM of each server process over all of the above.
// Each figure is printed next to its target.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { BUSIEST_CACHED, COLD_TARGET_MS, coldAfterRestarts } from './cold-pages.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * CPU time a process has used (all its threads), in ms, from /proc (Linux; clock ticks of 10 ms).
 * Printed next to the wall-clock times: on a shared machine the wall clock also counts the time
 * other processes held the cores, the CPU time does not.
 */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Starts wirefeed; resolves at the first /readyz 200 with the times since spawn of its first answer and of ready. */
export async function startServer({ dist, dataDir, cacheDir, port, sleep, env = {} }) {
  const started = performance.now();
  const child = spawn(process.execPath, [join(dist, 'main.js')], {
    env: { ...process.env, DATA_DIR: dataDir, CACHE_DIR: cacheDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', RESCAN_INTERVAL: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, url: `http://127.0.0.1:${port}`, log: '', exited: false };
  // The server logs JSON lines on standard output (issue 16); errors before the logger exists go to standard error.
  child.stdout.on('data', (d) => (server.log += d));
  child.stderr.on('data', (d) => (server.log += d));
  child.on('exit', () => (server.exited = true));
  for (;;) {
    if (server.exited) throw new Error(`wirefeed exited during start: ${server.log.slice(-2000)}`);
    try {
      const res = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      server.firstAnswerMs ??= performance.now() - started;
      if (res.status === 200) {
        server.readyMs = performance.now() - started;
        server.cpuAtReadyMs = cpuMs(child.pid);
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
}

export async function waitForLog(server, pattern, sleep, timeoutMs = 180_000) {
  const t = performance.now();
  while (!pattern.test(server.log)) {
    if (server.exited || performance.now() - t > timeoutMs) throw new Error(`no ${pattern} in the log: ${server.log.slice(-2000)}`);
    await sleep(20);
  }
  return pattern.exec(server.log);
}

/** A GET with gzip, timed from the request to the last byte; counts the items of the (decompressed) feed. */
export function timedGet(url) {
  return new Promise((resolveGet, reject) => {
    const t = performance.now();
    request(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t;
        const body = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        resolveGet({ ms, status: res.statusCode, items: (text.match(/<item>/g) ?? []).length, gzip: res.headers['content-encoding'] === 'gzip' });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** A `before` cursor at the article of the middle file (names sort by date): a page deep in the main feed. */
function deepCursor(articlesDir, names) {
  for (let i = Math.floor(names.length / 2); i < names.length; i++) {
    const record = JSON.parse(readFileSync(join(articlesDir, names[i]), 'utf8'));
    const published = Date.parse(record.published);
    if (Number.isFinite(published) && record.status !== 'draft') return Buffer.from(`${published}.${record.id}`, 'utf8').toString('base64url');
  }
  throw new Error('no article for a deep cursor');
}

export async function benchScale({ count, dist, row, stop, peakRssMb, sleep, generateCorpus, nextPort, keepCorpus, quick }) {
  const dir = join(tmpdir(), `wirefeed-bench-corpus-${count}`);
  const cacheDir = join(tmpdir(), `wirefeed-bench-cache-${count}`);
  console.error(`\n[3] scale: ${count} articles in ${dir}${quick ? ' (--quick: smaller corpus)' : ''}`);
  const { generatedSeconds } = generateCorpus(count, dir);
  row('3 scale', 'corpus', `${count} articles`, '', '', generatedSeconds === undefined ? 'reused' : `generated in ${generatedSeconds.toFixed(1)} s`);
  const full = count === 100_000;
  const target = (text) => (full ? text : '(target at 100,000)');
  const verdict = (ok) => (full ? (ok ? 'met' : 'MISSED') : '');
  const { tagNames } = await import(join(dist, 'cli', 'gen-corpus.js'));
  const { slugify } = await import(join(dist, 'model', 'slug.js'));
  const articlesDir = join(dir, 'articles');
  const names = readdirSync(articlesDir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const figures = { articles: count };
  const server = (cache) => startServer({ dist, dataDir: dir, cacheDir: cache, port: nextPort(), sleep });

  // First start: no index.
  rmSync(cacheDir, { recursive: true, force: true });
  const first = await server(cacheDir);
  figures.firstStart = { firstAnswerMs: first.firstAnswerMs, readyMs: first.readyMs, peakRssAtReadyMb: peakRssMb(first.child.pid) };
  row('3 scale', 'first start: spawn → first HTTP answer (/readyz 503)', first.firstAnswerMs, 'ms', '', 'listens before loading');
  row('3 scale', 'first start (no index): spawn → /readyz 200', first.readyMs, 'ms', target('≤ 6000 ms'), `${verdict(first.readyMs <= 6000)} (CPU time until then: ${first.cpuAtReadyMs} ms)`);
  const written = await waitForLog(first, /wrote the article index \(([\d,]+) records\) to .* in ([\d.]+) s/, sleep);
  figures.firstStart.indexWriteSeconds = Number(written[2]);
  figures.firstStart.peakRssMb = peakRssMb(first.child.pid);
  row('3 scale', '  then the index written in the background', Number(written[2]) * 1000, 'ms', '', `${written[1]} records`);
  row('3 scale', '  peak RSS: start, load and index write (VmHWM)', figures.firstStart.peakRssMb ?? 'n/a', 'MB', target('≤ 500 MB'), verdict(figures.firstStart.peakRssMb <= 500));
  await stop(first.child);

  // Restart over unchanged files.
  const again = await server(cacheDir);
  const restored = /load: ([\d,]+) article files in [\d.]+ s \(([\d,]+) from the index, ([\d,]+) read/.exec(again.log);
  figures.restart = { firstAnswerMs: again.firstAnswerMs, readyMs: again.readyMs, log: restored?.[0] };
  row('3 scale', 'restart, files unchanged: spawn → /readyz 200', again.readyMs, 'ms', target('≤ 1500 ms'), `${verdict(again.readyMs <= 1500)} (${restored?.[2] ?? '?'} from the index, ${restored?.[3] ?? '?'} read; CPU time ${again.cpuAtReadyMs} ms)`);
  const first200 = await timedGet(`${again.url}/feed.json?limit=1`);
  row('3 scale', '  first 200 (a small feed) right after ready', first200.ms, 'ms');
  const prepared = await waitForLog(again, /feed indexes built and the busiest feeds' first pages prepared in ([\d.]+) s/, sleep);
  row('3 scale', '  background preparation after ready (indexes, busiest pages)', Number(prepared[1]) * 1000, 'ms', '', 'the store: tables and bodies');
  const cached = await waitForLog(again, BUSIEST_CACHED, sleep);
  row('3 scale', '  … then the busiest pages rendered into the cache (RSS, gzip)', Number(cached[1]) * 1000, 'ms', '', 'the app (src/http/feed-preparation.ts); requests below are made after it');

  const tags = tagNames();
  // The first three are among the pages the server prepares (bodies: src/store/files/prepare.ts; the RSS documents,
  // rendered and gzipped into the cache: src/http/feed-preparation.ts), so their first request is a cache hit;
  // the last two are not: their 50 bodies are read and sanitised, the page rendered and compressed, by the request.
  const cold = [
    ['main feed /rss.xml (prepared, cached)', '/rss.xml'],
    [`largest tag /tags/${slugify(tags[0])}/ (prepared, cached)`, `/tags/${slugify(tags[0])}/rss.xml`],
    ['a language /languages/ug/ (prepared, cached)', '/languages/ug/rss.xml'],
    ['a deep cursor page, middle of the corpus', `/rss.xml?before=${deepCursor(articlesDir, names)}`],
    [`smallest tag /tags/${slugify(tags[tags.length - 1])}/`, `/tags/${slugify(tags[tags.length - 1])}/rss.xml`],
  ];
  figures.cold = {};
  for (const [label, path] of cold) {
    const cpuBefore = cpuMs(again.child.pid);
    const res = await timedGet(`${again.url}${path}`);
    res.serverCpuMs = cpuMs(again.child.pid) - cpuBefore;
    figures.cold[path] = res;
    const ok = res.status === 200 && res.gzip && res.items === 50 && res.ms <= COLD_TARGET_MS;
    row('3 scale', `cold: ${label}`, res.ms, 'ms', target(`≤ ${COLD_TARGET_MS} ms`), `${verdict(ok)} (${res.status}, ${res.items} items${res.gzip ? ', gzip' : ', NOT gzip'}; server CPU ~${res.serverCpuMs} ms)`);
  }

  // A reload: edit the article the main feed shows first.
  const { edited, restore } = await editNewest(articlesDir, again.url);
  const t = performance.now();
  let visibleMs;
  while (performance.now() - t < 5000) {
    if ((await (await fetch(`${again.url}/rss.xml`)).text()).includes(edited)) {
      visibleMs = performance.now() - t;
      break;
    }
    await sleep(5);
  }
  restore();
  figures.editToVisibleMs = visibleMs ?? null;
  row('3 scale', 'edit one file → visible in /rss.xml', visibleMs ?? 'not seen in 5 s', visibleMs === undefined ? '' : 'ms', '≤ 1000 ms', visibleMs === undefined ? 'MISSED' : visibleMs <= 1000 ? 'met' : 'MISSED');
  await sleep(500);
  figures.restart.peakRssMb = peakRssMb(again.child.pid);
  row('3 scale', '  peak RSS: restart, cold requests, reload (VmHWM)', figures.restart.peakRssMb ?? 'n/a', 'MB', target('≤ 500 MB'), verdict(figures.restart.peakRssMb <= 500));
  await stop(again.child);
  // Issue 30's cold pages as medians of five restarts over unchanged files (bench/cold-pages.mjs).
  figures.coldMedians = await coldAfterRestarts({ dir, cacheDir, largestTagPath: `/tags/${slugify(tags[0])}/rss.xml`, row, stop, sleep, nextPort, full });

  // Restart with 1,000 files changed.
  const changed = names.filter((_, i) => i % Math.floor(names.length / 1000) === 0).slice(0, 1000);
  const originals = changed.map((name) => [name, readFileSync(join(articlesDir, name), 'utf8')]);
  for (const [name, text] of originals) {
    const record = JSON.parse(text);
    writeFileSync(join(articlesDir, name), JSON.stringify({ ...record, headline: `${record.headline} (changed)` }, null, 2));
  }
  try {
    const third = await server(cacheDir);
    const line = /load: ([\d,]+) article files in [\d.]+ s \(([\d,]+) from the index, ([\d,]+) read/.exec(third.log);
    figures.restartChanged = { readyMs: third.readyMs, log: line?.[0] };
    row('3 scale', `restart, ${changed.length} files changed: spawn → /readyz 200`, third.readyMs, 'ms', target('≤ 2000 ms'), `${verdict(third.readyMs <= 2000)} (${line?.[2] ?? '?'} from the index, ${line?.[3] ?? '?'} read; CPU time ${third.cpuAtReadyMs} ms)`);
    figures.restartChanged.peakRssMb = peakRssMb(third.child.pid);
    row('3 scale', '  peak RSS (VmHWM)', figures.restartChanged.peakRssMb ?? 'n/a', 'MB', target('≤ 500 MB'), verdict(figures.restartChanged.peakRssMb <= 500));
    await stop(third.child);
  } finally {
    for (const [name, text] of originals) writeFileSync(join(articlesDir, name), text);
  }
  if (!keepCorpus) rmSync(dir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  return figures;
}

/** Edits the headline of the article the main feed shows first (found through the live feed: its id is its file name). */
async function editNewest(articlesDir, serverUrl) {
  const feed = await (await fetch(`${serverUrl}/feed.json`)).json();
  const name = `${String(feed.items[0].id).split(':').pop()}.json`;
  const text = readFileSync(join(articlesDir, name), 'utf8');
  const edited = `Edited ${Date.now()}`;
  writeFileSync(join(articlesDir, name), JSON.stringify({ ...JSON.parse(text), headline: edited }, null, 2));
  return { edited, restore: () => writeFileSync(join(articlesDir, name), text) };
}
