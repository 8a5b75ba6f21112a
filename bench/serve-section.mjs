// Section 1 of `npm run bench` (issue 30): the cached /rss.xml, gzip 200 and 304, served by wirefeed
// as it runs by default (LOG_LEVEL=info: an access line per request, to a file) with METRICS=true,
// against three anchors measured in the same run, on the same machine, by the same load generator:
//   - a bare Express 5 route and a bare node:http server answering with wirefeed's own bytes and
//     exactly the headers wirefeed sent (bench/baseline-server.mjs);
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

/**
 * Runs the section; `deps` are bench.mjs's helpers: startWirefeed(dataDir, env, { stdout }), stop,
 * row, nextPort, serve ({ seconds, runs, connections }).
 */
export async function benchServing(smallDir, deps) {
  const { startWirefeed, stop, row, nextPort, serve } = deps;
  console.error(`\n[1] serving a cached feed (${WRK ? 'wrk' : 'autocannon (install wrk for steadier figures: apt-get install wrk)'}, c=${serve.connections}, ${serve.runs} × ${serve.seconds} s, alternating)`);
  const work = mkdtempSync(join(tmpdir(), 'wirefeed-bench-serve-'));
  const started = [];
  try {
    const logFile = join(work, 'wirefeed-access.log');
    const ours = await startWirefeed(smallDir, { LOG_LEVEL: 'info', METRICS: 'true' }, { stdout: openSync(logFile, 'w') });
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
    const express = await startBaseline('express', nextPort(), bodyFile, etag, got.headers['content-type'], headersFile);
    started.push(express.child);
    const raw = await startBaseline('raw', nextPort(), bodyFile, etag, got.headers['content-type'], headersFile);
    started.push(raw.child);

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
    row('1 serve', 'main RSS feed, gzip', `${(got.body.length / 1024).toFixed(0)} KB (export's .gz: ${(nginxGot.body.length / 1024).toFixed(0)} KB); ${headBytes} B of headers`, '', '', '');

    const gz = { 'Accept-Encoding': 'gzip' };
    const servers = { wirefeed: [ours.url, etag], express: [express.url, etag], 'node:http': [raw.url, etag], nginx: [nginx.url, nginxEtag] };
    const targets = Object.entries(servers).flatMap(([name, [url, tag]]) => [
      [`${name} 200`, `${url}/rss.xml`, gz],
      [`${name} 304`, `${url}/rss.xml`, { ...gz, 'If-None-Match': tag }],
    ]);
    const { runs, medians: m } = await alternate(targets, serve);
    const loadavg = execFileSync('cat', ['/proc/loadavg']).toString().trim().split(' ').slice(0, 3).join(' ');
    const lines = execFileSync('wc', ['-l', logFile]).toString().trim().split(' ')[0];
    // Issue 30's table, one row per ratio: wirefeed's cached /rss.xml against each anchor, both measured in this run.
    const ANCHOR_NAMES = { express: 'a bare Express 5 route', 'node:http': 'a bare node:http server', nginx: 'nginx serving the export (gzip_static)' };
    for (const status of ['200', '304']) {
      const what = status === '200' ? 'gzip 200' : '304';
      row('1 serve', `wirefeed ${what} (info log, metrics)`, m[`wirefeed ${status}`], 'req/s');
      for (const anchor of ['express', 'node:http', 'nginx']) row('1 serve', `  ${anchor} ${what}`, m[`${anchor} ${status}`], 'req/s');
    }
    const ratios = {};
    for (const status of ['200', '304']) {
      for (const [anchor, target, targetText] of TARGETS) {
        const what = status === '200' ? 'gzip 200' : '304';
        const ratio = m[`wirefeed ${status}`] / m[`${anchor} ${status}`];
        ratios[`${status} vs ${anchor}`] = ratio;
        row('1 serve', `cached /rss.xml ${what} vs ${ANCHOR_NAMES[anchor]}`, `${ratio.toFixed(2)} ×`, '', targetText, `${ratio >= target ? 'met' : 'MISSED'} (${Math.round(m[`wirefeed ${status}`])} vs ${Math.round(m[`${anchor} ${status}`])} req/s)`);
      }
    }
    row('1 serve', 'load average after the runs', loadavg, '', '', `access log: ${lines} lines`);
    return { runs, medians: m, ratios, loadavg, accessLogLines: Number(lines) };
  } finally {
    await Promise.all(started.map((child) => stop(child)));
    rmSync(work, { recursive: true, force: true });
  }
}
