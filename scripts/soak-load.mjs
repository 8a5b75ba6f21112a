// Load generator for scripts/soak.mjs, run as its own process:
//   node scripts/soak-load.mjs <baseUrl> <seconds> <concurrency>
// Mixed GETs across formats and filtered feeds, with gzip, half of them
// conditional when the server gave a validator. Every 200 body is parsed
// (XML well-formed with the right root, JSON Feed 1.1 version); prints one
// JSON line with the counts and latency percentiles.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { XMLValidator } from 'fast-xml-parser';

const [baseUrl, secondsText = '60', concurrencyText = '8'] = process.argv.slice(2);
const until = Date.now() + Number(secondsText) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
const base = new URL(baseUrl);

const FOLDERS = ['', '/sections/korea', '/tags/north-korea', '/languages/en', '/languages/ko', '/authors/min-seo-park'];
const FILES = ['rss.xml', 'atom.xml', 'feed.json'];
const QUERIES = ['', '', '?limit=5', '?since=2019-11-01T00:00:00Z'];
const paths = FOLDERS.flatMap((folder) => FILES.flatMap((file) => QUERIES.map((query) => `${folder}/${file}${query}`)));

const stats = { requests: 0, ok200: 0, notModified: 0, conditional: 0, gzip: 0, errors: 0, unparseable: 0, byStatus: {}, errorSamples: [] };
const latencies = [];
const validators = new Map();

function get(path, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: base.hostname, port: base.port, path, headers, agent, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function problemWith(path, body) {
  const text = body.toString('utf8');
  if (path.includes('feed.json')) {
    const feed = JSON.parse(text);
    if (feed.version !== 'https://jsonfeed.org/version/1.1' || !Array.isArray(feed.items)) return 'not JSON Feed 1.1';
    return undefined;
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) return `not well-formed: ${valid.err.msg} at line ${valid.err.line}`;
  const root = path.includes('rss.xml') ? '<rss ' : '<feed ';
  if (!text.includes(root) || !text.trimEnd().endsWith(path.includes('rss.xml') ? '</rss>' : '</feed>')) return 'wrong or truncated root element';
  return undefined;
}

function record(kind, detail) {
  stats[kind] += 1;
  if (stats.errorSamples.length < 10) stats.errorSamples.push(detail);
}

async function worker(seed) {
  let i = seed;
  while (Date.now() < until) {
    const path = paths[(i = (i * 7 + 3) % paths.length)];
    const headers = { 'Accept-Encoding': 'gzip' };
    const known = validators.get(path);
    const conditional = known !== undefined && i % 2 === 0;
    if (conditional) {
      if (known.etag) headers['If-None-Match'] = known.etag;
      if (known.lastModified) headers['If-Modified-Since'] = known.lastModified;
    }
    const started = process.hrtime.bigint();
    try {
      const res = await get(path, headers);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      stats.requests += 1;
      if (conditional) stats.conditional += 1;
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      if (res.status === 304) {
        stats.notModified += 1;
        continue;
      }
      if (res.status !== 200) {
        record('errors', `${res.status} ${path}: ${res.body.toString('utf8').slice(0, 200)}`);
        continue;
      }
      stats.ok200 += 1;
      let body = res.body;
      if (res.headers['content-encoding'] === 'gzip') {
        stats.gzip += 1;
        body = gunzipSync(body);
      }
      if (res.headers.etag || res.headers['last-modified']) validators.set(path, { etag: res.headers.etag, lastModified: res.headers['last-modified'] });
      let problem;
      try {
        problem = problemWith(path, body);
      } catch (error) {
        problem = error.message;
      }
      if (problem) record('unparseable', `${path}: ${problem}`);
    } catch (error) {
      stats.requests += 1;
      record('errors', `${path}: ${error.message}`);
    }
  }
}

await Promise.all(Array.from({ length: Number(concurrencyText) }, (_, i) => worker(i * 13 + 1)));
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length === 0 ? 0 : Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 100) / 100);
process.stdout.write(`${JSON.stringify({ ...stats, latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: pct(100) } })}\n`);
