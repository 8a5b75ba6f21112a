// `npm run bench -- --only varnish` (issue 25): wirefeed behind the shipped Varnish (deploy/varnish).
//   1. a cached feed (/rss.xml, 50 full items, gzip), 200 and 304, through Varnish, against nginx
//      serving wirefeed's own static export with gzip_static, and against wirefeed alone; same run,
//      alternating, wrk, medians. Target: Varnish ≥ 0.9 × nginx.
//   2. the poll storm: 100 clients polling 20 feeds through Varnish, one write every 5 s, for 60 s;
//      how many feed requests reach the origin (target: about one per touched feed per write).
// Options: --quick (2 × 3 s runs), --storm-seconds N (a shorter storm; the full one is 60 s),
// --varnish-param name=value (repeatable; passed to varnishd as -p, for tuning).
// Needs varnishd with vmod_xkey, nginx and wrk (apt-get install varnish varnish-modules nginx wrk).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { constants as zlib, gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { alternate, rawGet, WRK } from './serving.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist', 'src');
const VCL_DIR = join(ROOT, 'deploy', 'varnish');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const stormArg = args.indexOf('--storm-seconds');
const STORM_SECONDS = stormArg >= 0 ? Number(args[stormArg + 1]) : 60;
const SERVE = quick ? { seconds: 3, runs: 2, connections: 50 } : { seconds: 10, runs: 3, connections: 50 };
const VARNISH_PARAMS = args.flatMap((a, i) => (a === '--varnish-param' ? ['-p', args[i + 1]] : []));
const TOKEN = 'bench-ingest-token-0123456789';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let nextPort = 43000 + Math.floor(Math.random() * 1000);
const children = [];
const work = mkdtempSync(join(tmpdir(), 'wirefeed-bench-varnish-'));
chmodSync(work, 0o755);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

if (!WRK) throw new Error('bench --only varnish needs wrk (apt-get install wrk)');

function spawnChild(command, argv, env = {}) {
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  children.push(child);
  process.once('exit', () => child.kill('SIGKILL'));
  return { child, stderr: () => stderr };
}

async function until(url, what, stderr = () => '') {
  let last = '';
  for (let i = 0; i < 1200; i++) {
    last = await rawGet(url, {}).then((r) => `${r.status} ${r.headers['x-cache'] ?? ''}`, (e) => e.message);
    if (last.startsWith('200')) return;
    await sleep(50);
  }
  throw new Error(`${what} did not answer 200 at ${url} (last: ${last}): ${stderr()}`);
}

function startWirefeed(dataDir, env) {
  const port = nextPort++;
  const { stderr } = spawnChild(process.execPath, [join(DIST, 'main.js')], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', SITE_URL: 'https://feeds.example.org', ...env });
  return { url: `http://127.0.0.1:${port}`, port, stderr };
}

/** varnishd with the shipped default.vcl and an origins.vcl naming one loopback origin. */
async function startVarnish(originPort, port) {
  const dir = join(work, `varnish-${port}`);
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'origins.vcl'), `backend wirefeed {\n  .host = "127.0.0.1";\n  .port = "${originPort}";\n}\nsub wirefeed_origin {\n  set req.backend_hint = wirefeed;\n}\nacl wirefeed_purgers {\n  "127.0.0.1";\n}\n`);
  const { stderr } = spawnChild('varnishd', ['-F', '-n', join(dir, 'work'), '-a', `127.0.0.1:${port}`, '-T', 'none', '-s', 'malloc,256m', '-p', `vcl_path=${dir}:${VCL_DIR}`, '-f', join(VCL_DIR, 'default.vcl'), ...VARNISH_PARAMS]);
  const url = `http://127.0.0.1:${port}`;
  await until(`${url}/rss.xml`, 'varnishd', stderr);
  return url;
}

/** nginx serving a static export with gzip_static, as docs/editing-and-ingest.md suggests. */
async function startNginx(root) {
  const port = nextPort++;
  const dir = join(work, 'nginx');
  mkdirSync(dir);
  const conf = `daemon off;\nworker_processes auto;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  include /etc/nginx/mime.types;\n  types { application/rss+xml xml; }\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};\n  server {\n    listen 127.0.0.1:${port};\n    root ${root};\n    gzip_static on;\n  }\n}\n`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  spawnChild('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
  const url = `http://127.0.0.1:${port}`;
  await until(`${url}/rss.xml`, 'nginx');
  return url;
}

const GZIP = { 'accept-encoding': 'gzip' };
const rows = [];
const say = (line) => console.error(line);

async function benchCachedFeed() {
  const data = join(work, 'corpus');
  execFileSync(process.execPath, [join(DIST, 'cli', 'wirefeed.js'), 'gen-corpus', '--count', '2000', '--out', data, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const varnishPort = nextPort++;
  const origin = startWirefeed(data, { VARNISH_URLS: `http://127.0.0.1:${varnishPort}` });
  await until(`${origin.url}/rss.xml`, 'wirefeed');
  // What `wirefeed export` writes for /rss.xml (the body, and a .gz at best compression beside it):
  // exporting all 2,800 URLs of this corpus takes over 10 minutes (the .br at quality 11), for one file.
  const exported = join(work, 'export');
  mkdirSync(exported);
  const body = (await rawGet(`${origin.url}/rss.xml`, {})).body;
  writeFileSync(join(exported, 'rss.xml'), body);
  writeFileSync(join(exported, 'rss.xml.gz'), gzipSync(body, { level: zlib.Z_BEST_COMPRESSION }));
  execFileSync('chmod', ['-R', 'a+rX', exported]);
  const varnish = await startVarnish(origin.port, varnishPort);
  const nginx = await startNginx(exported);
  const targets = { varnish: `${varnish}/rss.xml`, nginx: `${nginx}/rss.xml`, wirefeed: `${origin.url}/rss.xml` };
  const etags = {};
  for (const [name, url] of Object.entries(targets)) {
    const res = await rawGet(url, GZIP);
    if (res.status !== 200 || res.headers['content-encoding'] !== 'gzip') throw new Error(`${name}: ${res.status} ${res.headers['content-encoding']}`);
    etags[name] = res.headers.etag;
    say(`  ${name}: ${res.body.length} gzip bytes, ETag ${etags[name]}`);
  }
  say(`\n[1] cached /rss.xml, gzip (wrk c=${SERVE.connections}, ${SERVE.runs} × ${SERVE.seconds} s, alternating); load average ${loadavg()}`);
  const ok = await alternate(Object.entries(targets).map(([name, url]) => [name, url, GZIP]), SERVE);
  const notModified = await alternate(Object.entries(targets).map(([name, url]) => [name, url, { ...GZIP, 'if-none-match': etags[name] }]), SERVE);
  for (const [kind, result] of [['200', ok], ['304', notModified]]) {
    for (const name of Object.keys(targets)) rows.push([`${kind}: ${name}`, `${result.medians[name].toFixed(0)} req/s`, name === 'varnish' ? `${(result.medians.varnish / result.medians.nginx).toFixed(2)} × nginx (target ≥ 0.9)` : '']);
  }
  rows.push(['load average after', loadavg(), '']);
  return { ok, notModified };
}

/** 100 clients, 20 tag feeds through Varnish, a write every 5 s to one of them; feed requests the origin saw. */
async function benchPollStorm() {
  const data = join(work, 'storm');
  mkdirSync(join(data, 'articles'), { recursive: true });
  writeFileSync(join(data, 'site.json'), JSON.stringify({ title: 'Storm', description: 'Poll storm', link: 'https://feeds.example.org/', language: 'en', feedSize: 20 }));
  const article = (id, tag, headline, minutes) => ({ id, url: `https://feeds.example.org/${id}.html`, headline, summary: `${headline}.`, body: `<p>${headline}.</p>`, published: new Date(Date.UTC(2024, 0, 1, 0, minutes)).toISOString(), language: 'en', section: 'Storm', tags: [tag] });
  for (let i = 0; i < 200; i++) writeFileSync(join(data, 'articles', `s-${i}.json`), JSON.stringify(article(`s-${i}`, `Storm ${i % 20}`, `Story ${i}`, i)));
  const varnishPort = nextPort++;
  const origin = startWirefeed(data, { VARNISH_URLS: `http://127.0.0.1:${varnishPort}`, METRICS: 'true', INGEST_TOKEN: TOKEN });
  await until(`${origin.url}/rss.xml`, 'wirefeed (storm)');
  const varnish = await startVarnish(origin.port, varnishPort);
  const feeds = Array.from({ length: 20 }, (_, i) => `/tags/storm-${i}/rss.xml`);
  const originFeedRequests = async () => {
    const text = (await rawGet(`${origin.url}/metrics`, {})).body.toString();
    return [...text.matchAll(/^wirefeed_http_requests_total\{[^}]*kind="(?:feed|tag)"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  const before = await originFeedRequests();
  let stop = false;
  let polls = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });
  const poll = (path) => new Promise((done) => request(`${varnish}${path}`, { agent, headers: GZIP }, (res) => res.resume().on('end', done)).on('error', done).end());
  const client = async (c) => {
    for (let n = c; !stop; n++) {
      await poll(feeds[n % feeds.length]);
      polls++;
    }
  };
  say(`\n[2] poll storm: 100 clients, 20 feeds, a write every 5 s, ${STORM_SECONDS} s; load average ${loadavg()}`);
  const clients = Array.from({ length: 100 }, (_, c) => client(c));
  let writes = 0;
  const started = Date.now();
  while (Date.now() - started < STORM_SECONDS * 1000) {
    await sleep(5000);
    const tag = writes % 20;
    const res = await fetch(`${origin.url}/api/articles/w-${writes}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(article(`w-${writes}`, `Storm ${tag}`, `Write ${writes}`, 10_000 + writes)) });
    if (res.status !== 201) throw new Error(`write ${writes}: ${res.status} ${await res.text()}`);
    writes++;
  }
  await sleep(1000);
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  const originRequests = (await originFeedRequests()) - before;
  rows.push([`storm: client polls through Varnish (${STORM_SECONDS} s)`, String(polls), '']);
  rows.push(['storm: writes (each touches 1 of the 20 polled feeds)', String(writes), '']);
  rows.push(['storm: feed requests the origin saw', String(originRequests), `≈ ${20 + writes} expected (20 first misses + 1 per write)`]);
  rows.push(['load average after', loadavg(), '']);
  return { polls, writes, originRequests };
}

const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, loadavgAtStart: loadavg(), varnishParams: VARNISH_PARAMS };
try {
  results.cachedFeed = await benchCachedFeed();
  results.pollStorm = await benchPollStorm();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await sleep(500);
  rmSync(work, { recursive: true, force: true });
}
console.log(`wirefeed bench --only varnish — ${results.machine}; load average at start ${results.loadavgAtStart}${VARNISH_PARAMS.length ? `; varnishd ${VARNISH_PARAMS.join(' ')}` : ''}\n`);
for (const [figure, value, note] of rows) console.log(`| ${figure.padEnd(58)} | ${value.padEnd(16)} | ${note}`);
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `${results.date.replace(/[:.]/g, '-')}-varnish.json`), `${JSON.stringify({ ...results, rows }, null, 2)}\n`);
