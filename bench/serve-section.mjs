// Section 1 of `npm run bench` (issue 30): the cached /rss.xml, gzip 200 and 304, served by wirefeed
// as it runs by default (LOG_LEVEL=info: an access line per request, to a file) with METRICS=true,
// against anchors measured in the same run, on the same machine, by the same load generator:
//   - a bare Express 5 route (res.set + res.send, Express's defaults: its own ETag and conditional GET)
//     and a bare node:http server writing exactly the headers wirefeed sent, both with wirefeed's own
//     bytes (bench/baseline-server.mjs); and, for reference, an Express route writing node:http's head;
//   - nginx serving wirefeed's own static export of the feed (as `wirefeed export` writes it) with gzip_static, one worker
//     (one process, as node is), started from its own config in a temporary prefix on a free port.
// Targets are ratios (absolute figures on a shared machine move by 15–50 % between runs).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlib, gunzipSync, gzipSync } from 'node:zlib';
import { alternate, rawGet, startBaseline, WRK } from './serving.mjs';

/** Headers node writes itself on every answer: not copied into the baselines' header lists. */
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

const TARGETS = [
  ['express', 3, '≥ 3 × Express'],
  ['node:http', 0.9, '≥ 0.9 × node:http'],
  ['nginx', 0.4, '≥ 0.4 × nginx'],
];

/** A flat [name, value, …] list of the headers as sent, minus the per-connection ones. */
function headerList(rawHeaders) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (!PER_CONNECTION.has(rawHeaders[i].toLowerCase())) out.push(rawHeaders[i], rawHeaders[i + 1]);
  return out;
}

/** nginx from its own config and prefix in `dir`, serving `root` on `port`; resolves once it answers. */
export async function startNginx(dir, root, port) {
  const conf = join(dir, 'nginx.conf');
  // Running as root, nginx's workers would switch to nobody, who cannot read a private temporary folder.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  writeFileSync(
    conf,
    `${user}
worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # One line per request, buffered, as wirefeed's access log is.
  access_log ${join(dir, 'access.log')} combined buffer=4k flush=1s;
  types { application/rss+xml xml; application/json json; text/html html; }
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    gzip_static on;
    etag on;
  }
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      if ((await rawGet(`${url}/rss.xml`, { 'Accept-Encoding': 'gzip' })).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not answer on ${url}: ${stderr}`);
}

/** The repository's sample feed: the feed issue 30's figures were measured on. */
const SAMPLE_DATA = join(import.meta.dirname, '..', 'data');

/**
 * Runs the section; `deps` are bench.mjs's helpers: startWirefeed(dataDir, env, { stdout }), stop,
 * row, nextPort, serve ({ seconds, runs, connections }). Two feeds: the sample feed (a few KB: what a
 * request costs beyond its bytes) and the main feed of the 2,000-article corpus (110 KB gzip: where the
 * kernel's copy of the bytes dominates every server alike).
 */
export async function benchServing(smallDir, deps) {
  console.error(`\n[1] serving a cached feed (${WRK ? 'wrk' : 'autocannon (install wrk for steadier figures: apt-get install wrk)'}, c=${deps.serve.connections}, ${deps.serve.runs} × ${deps.serve.seconds} s, alternating)`);
  const sample = await benchFeed('sample feed', SAMPLE_DATA, deps);
  const corpus = await benchFeed('2,000-article corpus', smallDir, deps);
  return { sample, corpus, ...corpus };
}

async function benchFeed(label, dataDir, deps) {
  const { startWirefeed, stop, row, nextPort, serve } = deps;
  const work = mkdtempSync(join(tmpdir(), 'wirefeed-bench-serve-'));
  const started = [];
  try {
    const logFile = join(work, 'wirefeed-access.log');
    const ours = await startWirefeed(dataDir, { LOG_LEVEL: 'info', METRICS: 'true' }, { stdout: openSync(logFile, 'w') });
    started.push(ours.child);
    const got = await rawGet(`${ours.url}/rss.xml`, { 'Accept-Encoding': 'gzip' });
    const { etag } = got.headers;
    if (got.headers['content-encoding'] !== 'gzip' || !etag) throw new Error('bench: wirefeed sent no gzip or no ETag');
    const not = await rawGet(`${ours.url}/rss.xml`, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    if (not.status !== 304) throw new Error(`bench: wirefeed answered ${not.status} to a matching If-None-Match`);
    const bodyFile = join(work, 'body.gz');
    writeFileSync(bodyFile, got.body);
    const headersFile = join(work, 'headers.json');
    writeFileSync(headersFile, JSON.stringify({ 200: headerList(got.rawHeaders), 304: headerList(not.rawHeaders) }));
    const headBytes = got.rawHeaders.reduce((n, s) => n + s.length + 2, 0);
    const baselines = {};
    for (const kind of ['express', 'express-head', 'raw']) {
      baselines[kind] = await startBaseline(kind, nextPort(), bodyFile, etag, got.headers['content-type'], headersFile);
      started.push(baselines[kind].child);
    }
    // Express's own route makes its own (weak) ETag from the bytes: revalidate with that one.
    const expressGot = await rawGet(`${baselines.express.url}/rss.xml`, { 'Accept-Encoding': 'gzip' });
    const expressEtag = expressGot.headers.etag;
    if (!expressGot.body.equals(got.body) || !expressEtag) throw new Error('bench: the Express route did not send the same bytes with an ETag');
    if ((await rawGet(`${baselines.express.url}/rss.xml`, { 'Accept-Encoding': 'gzip', 'If-None-Match': expressEtag })).status !== 304) throw new Error('bench: the Express route answered no 304');

    // nginx: wirefeed's static export of this URL, as `wirefeed export` writes it (the feed, and a .gz
    // sibling at gzip level 9, served by gzip_static). Only this file: the whole export of the 2,000-article
    // corpus (2,809 URLs, each also brotli at quality 11) took over ten minutes on the shared machine.
    const exported = join(work, 'export');
    mkdirSync(exported);
    const plain = gunzipSync(got.body);
    writeFileSync(join(exported, 'rss.xml'), plain);
    writeFileSync(join(exported, 'rss.xml.gz'), gzipSync(plain, { level: zlib.Z_BEST_COMPRESSION }));
    const nginx = await startNginx(work, exported, nextPort());
    started.push(nginx.child);
    const nginxGot = await rawGet(`${nginx.url}/rss.xml`, { 'Accept-Encoding': 'gzip' });
    const nginxEtag = nginxGot.headers.etag;
    if (nginxGot.headers['content-encoding'] !== 'gzip' || !nginxEtag) throw new Error('bench: nginx did not serve the .gz with an ETag');
    const section = `1 serve, ${label}`;
    row(section, 'main RSS feed, gzip', `${(got.body.length / 1024).toFixed(1)} KB (export's .gz: ${(nginxGot.body.length / 1024).toFixed(1)} KB); ${headBytes} B of headers`, '', '', '');

    const gz = { 'Accept-Encoding': 'gzip' };
    const servers = {
      wirefeed: [ours.url, etag],
      express: [baselines.express.url, expressEtag],
      'express-head': [baselines['express-head'].url, etag],
      'node:http': [baselines.raw.url, etag],
      nginx: [nginx.url, nginxEtag],
    };
    const targets = Object.entries(servers).flatMap(([name, [url, tag]]) => [
      [`${name} 200`, `${url}/rss.xml`, gz],
      [`${name} 304`, `${url}/rss.xml`, { ...gz, 'If-None-Match': tag }],
    ]);
    const { runs, medians: m } = await alternate(targets, serve);
    const loadavg = execFileSync('cat', ['/proc/loadavg']).toString().trim().split(' ').slice(0, 3).join(' ');
    const lines = execFileSync('wc', ['-l', logFile]).toString().trim().split(' ')[0];
    // Issue 30's table, one row per ratio: wirefeed's cached /rss.xml against each anchor, both measured in this run.
    const ANCHOR_NAMES = {
      express: 'a bare Express 5 route (res.set + res.send)',
      'node:http': 'a bare node:http server',
      nginx: 'nginx serving the export (gzip_static)',
      'express-head': 'an Express 5 route writing node:http\'s head (reference, no target)',
    };
    for (const status of ['200', '304']) {
      const what = status === '200' ? 'gzip 200' : '304';
      row(section, `wirefeed ${what} (info log, metrics)`, m[`wirefeed ${status}`], 'req/s');
      for (const anchor of ['express', 'express-head', 'node:http', 'nginx']) row(section, `  ${anchor} ${what}`, m[`${anchor} ${status}`], 'req/s');
    }
    const ratios = {};
    for (const status of ['200', '304']) {
      const what = status === '200' ? 'gzip 200' : '304';
      for (const [anchor, target, targetText] of [...TARGETS, ['express-head', undefined, '']]) {
        const ratio = m[`wirefeed ${status}`] / m[`${anchor} ${status}`];
        ratios[`${status} vs ${anchor}`] = ratio;
        const verdict = target === undefined ? '' : ratio >= target ? 'met' : 'MISSED';
        row(section, `cached /rss.xml ${what} vs ${ANCHOR_NAMES[anchor]}`, `${ratio.toFixed(2)} ×`, '', targetText, `${verdict} (${Math.round(m[`wirefeed ${status}`])} vs ${Math.round(m[`${anchor} ${status}`])} req/s)`);
      }
    }
    const requests = Object.entries(runs).filter(([name]) => name.startsWith('wirefeed')).reduce((n, [, xs]) => n + xs.reduce((a, rps) => a + rps * serve.seconds, 0), 0);
    row(section, 'load average after the runs', loadavg, '', '', `access log: ${lines} lines for about ${Math.round(requests)} requests`);
    return { runs, medians: m, ratios, loadavg, accessLogLines: Number(lines) };
  } finally {
    await Promise.all(started.map((child) => stop(child)));
    rmSync(work, { recursive: true, force: true });
  }
}
