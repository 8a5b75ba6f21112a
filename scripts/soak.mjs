// npm run soak: the built server under a mixed load from a separate process,
// while another process rewrites, adds and deletes article files every
// 100 ms. Reports requests served, errors and unparseable responses (both
// must be 0), latency percentiles and the server's memory at start and end.
//
//   SOAK_SECONDS       how long (default 60)
//   SOAK_CONCURRENCY   parallel keep-alive connections of the load generator (default 8)
//   SOAK_FUZZ_RUNS     also run the property tests with this many runs per format afterwards
//
// Exit status 1 when any error or unparseable response was seen.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

function runNode(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`${script} exited ${code}`))));
  });
}

const work = mkdtempSync(join(tmpdir(), 'wirefeed-soak-'));
const dataDir = join(work, 'data');
cpSync(join(root, 'data'), dataDir, { recursive: true });
const port = await freePort();
const server = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
  env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, SITE_URL: `http://127.0.0.1:${port}` },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${serverLog}`)), 15_000);
  server.stdout.on('data', () => serverLog.includes('serving') && (clearTimeout(timer), resolve()));
  server.on('exit', (code) => reject(new Error(`server exited ${code}:\n${serverLog}`)));
});

const startRss = rssKb(server.pid);
let peakRss = startRss;
// RSS every second for the peak, and every tenth of the run for a timeline that shows whether memory levels off.
const timeline = [];
let ticks = 0;
const sampler = setInterval(() => {
  const rss = rssKb(server.pid);
  peakRss = Math.max(peakRss, rss);
  if (++ticks % Math.max(1, Math.round(seconds / 10)) === 0) timeline.push(Math.round(rss / 102.4) / 10);
}, 1000);
console.error(`soak: ${seconds} s, ${concurrency} connections, server pid ${server.pid} on port ${port}, data in ${dataDir}`);
const started = Date.now();
const [load, churn] = await Promise.all([runNode('soak-load.mjs', [`http://127.0.0.1:${port}`, String(seconds), String(concurrency)]), runNode('soak-mutate.mjs', [dataDir, String(seconds)])]);
const elapsed = (Date.now() - started) / 1000;
clearInterval(sampler);
const endRss = rssKb(server.pid);
server.kill('SIGTERM');
rmSync(work, { recursive: true, force: true });

const report = {
  seconds: Math.round(elapsed),
  concurrency,
  requests: load.requests,
  requestsPerSecond: Math.round(load.requests / elapsed),
  byStatus: load.byStatus,
  conditional: load.conditional,
  notModified: load.notModified,
  gzipResponses: load.gzip,
  errors: load.errors,
  unparseable: load.unparseable,
  latencyMs: load.latencyMs,
  serverRssMb: { start: Math.round(startRss / 102.4) / 10, peak: Math.round(peakRss / 102.4) / 10, end: Math.round(endRss / 102.4) / 10, timeline },
  fileChanges: churn,
  samples: load.errorSamples,
};
console.log(JSON.stringify(report, null, 2));

let fuzzFailed = false;
if (process.env.SOAK_FUZZ_RUNS) {
  console.error(`soak: property tests with FUZZ_RUNS=${process.env.SOAK_FUZZ_RUNS}`);
  const fuzz = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', 'test/property'], { cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: process.env.SOAK_FUZZ_RUNS } });
  fuzzFailed = fuzz.status !== 0;
}
process.exit(load.errors > 0 || load.unparseable > 0 || fuzzFailed ? 1 : 0);
