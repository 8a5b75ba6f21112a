// Readership counting's cost (issue 27): the cached /rss.xml 304, gzip, from a reader app's User-Agent
// (so every request takes the hashing path, the dearest one), served by two wirefeed processes over the
// same data, one with counting on (the default) and one with STATS=false, both with the access log at
// info and METRICS=true as in section 1. Measured in the same run, alternating, medians; target ≥ 0.95×.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, rawGet } from './serving.mjs';

const TARGET = 0.95;
const READER = 'NetNewsWire (RSS Reader; https://netnewswire.com/)';

/** `deps`: bench.mjs's startWirefeed(dataDir, env, { stdout }), stop, row, serve ({ seconds, runs, connections }). */
export async function benchReadership(smallDir, deps) {
  const { startWirefeed, stop, row, serve } = deps;
  console.error(`\n[1b] readership counting on / off: cached 304 (c=${serve.connections}, ${serve.runs} × ${serve.seconds} s, alternating)`);
  const work = mkdtempSync(join(tmpdir(), 'wirefeed-bench-stats-'));
  const started = [];
  try {
    const servers = {};
    for (const [name, stats] of [['on', 'true'], ['off', 'false']]) {
      // Each its own copy of the data: the counting server writes DATA_DIR/stats/ at its flushes.
      const dir = join(work, name);
      execFileSync('cp', ['-r', smallDir, dir]);
      const server = await startWirefeed(dir, { LOG_LEVEL: 'info', METRICS: 'true', STATS: stats }, { stdout: 'ignore' });
      started.push(server.child);
      const got = await rawGet(`${server.url}/rss.xml`, { 'Accept-Encoding': 'gzip', 'User-Agent': READER });
      servers[name] = [server.url, got.headers.etag];
    }
    const targets = Object.entries(servers).map(([name, [url, etag]]) => [`counting ${name}`, `${url}/rss.xml`, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag, 'User-Agent': READER }]);
    // Twice the runs at half the length (same total time): on a shared machine the load moves between
    // runs by 2-5×, and more alternations give the medians a fairer share of quiet and busy moments.
    const { runs, medians } = await alternate(targets, { ...serve, runs: serve.runs * 2, seconds: Math.max(1, Math.round(serve.seconds / 2)) });
    const ratio = medians['counting on'] / medians['counting off'];
    const loadavg = execFileSync('cat', ['/proc/loadavg']).toString().trim().split(' ').slice(0, 3).join(' ');
    row('1 serve', 'cached 304, readership counting off (STATS=false)', medians['counting off'], 'req/s');
    row('1 serve', 'cached 304, readership counting on', medians['counting on'], 'req/s', `≥ ${TARGET} × off`, `${ratio.toFixed(3)} × off ${ratio >= TARGET ? 'met' : 'MISSED'} (load ${loadavg})`);
    return { runs, medians, ratio, loadavg };
  } finally {
    await Promise.all(started.map((child) => stop(child)));
    rmSync(work, { recursive: true, force: true });
  }
}
