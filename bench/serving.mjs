// Load generation and the Express / node:http baselines, shared by `npm run bench` (bench.mjs) and
// `npm run bench -- --store postgres` (store-bench.mjs): a server's cached-feed rate means something
// only next to the floor measured in the same run, on the same machine, with the same load generator.
import { execFileSync, fork, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';

const BENCH = resolve(import.meta.dirname);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** wrk when installed (it takes a fraction of the CPU autocannon does, which matters on 2 cores). */
export const WRK = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return error.status !== undefined && error.code !== 'ENOENT'; // wrk --version exits 1 but exists
  }
})();

export function run(command, argv) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${command} exited ${code}: ${out}`))));
  });
}

/** Requests per second against `url` with `headers`, from a separate process. */
export async function load(url, headers, { connections, seconds }) {
  if (WRK) {
    const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const out = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, ...headerArgs, url]);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    const socketErrors = /Socket errors: (.*)/.exec(out)?.[1];
    if (!Number.isFinite(rps) || bad > 0) throw new Error(`wrk against ${url}: ${out}`);
    return { rps, note: socketErrors };
  }
  const out = await run(process.execPath, [join(BENCH, 'load-autocannon.mjs'), url, String(connections), String(seconds), JSON.stringify(headers)]);
  const result = JSON.parse(out.trim().split('\n').pop());
  return { rps: result.rps };
}

/** The Express 5 or bare node:http floor answering with the same bytes and ETag (bench/baseline-server.mjs). */
export function startBaseline(kind, port, bodyFile, etag, contentType, headersFile) {
  const child = fork(join(BENCH, 'baseline-server.mjs'), [kind, String(port), bodyFile, etag, contentType, ...(headersFile ? [headersFile] : [])], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolveReady, reject) => {
    child.once('message', () => resolveReady({ child, url: `http://127.0.0.1:${port}` }));
    child.once('exit', (code) => reject(new Error(`baseline ${kind} exited with ${code}`)));
  });
}

/** A GET that keeps the body as sent (fetch would decompress it). */
export function rawGet(url, headers) {
  return new Promise((resolveGet, reject) => {
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveGet({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Runs each named target `runs` times, alternating the order between runs (so drift on a shared
 * machine lands on every target alike), and returns the median requests per second of each.
 */
export async function alternate(targets, { runs, connections, seconds }) {
  const results = Object.fromEntries(targets.map(([name]) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, url, headers] of r % 2 === 0 ? targets : [...targets].reverse()) {
      results[name].push((await load(url, headers, { connections, seconds })).rps);
    }
  }
  return { runs: results, medians: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) };
}
