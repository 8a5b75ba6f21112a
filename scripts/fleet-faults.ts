import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../src/store/postgres/migrations.js';
import { createPool } from '../src/store/postgres/pool.js';
import { freePort, startThrowawayCluster, type ThrowawayCluster } from '../test/helpers/throwaway-cluster.js';
import { findLostWrites, terminateReplicaConnections, waitFor } from './fleet-probes.js';

/**
 * Two replica processes on a throwaway PostgreSQL cluster, under read and
 * write load, while their connections are terminated and the cluster is
 * stopped and started again: what issue 23 found broken (a crash, feeds
 * answering 503, deliveries sent twice), measured. The fault test
 * (test/server/fleet-faults.test.ts) runs it for seconds; `npm run
 * soak:fleet` (scripts/soak-fleet.ts) for 90 s.
 */
export interface FleetFaultOptions {
  /** The built server entry (dist/src/main.js or test-artifacts' build of it). */
  readonly main: string;
  /** Seconds of load in all. */
  readonly seconds: number;
  /** Seconds from the start, [from, until), during which the replicas' connections are terminated every `terminateEveryMs`. */
  readonly terminate: { readonly from: number; readonly until: number; readonly everyMs: number };
  /** Cluster outages: stopped (immediate mode, as a crash) `at` seconds from the start, for `seconds`. */
  readonly outages: readonly { readonly at: number; readonly seconds: number }[];
  /** Writes a second through both replicas together (default 5). */
  readonly writesPerSecond?: number;
  /** Concurrent readers per replica (default 2). */
  readonly readersPerReplica?: number;
  readonly say?: (line: string) => void;
  /** More environment for the replicas (NODE_OPTIONS, FEED_CACHE_MB). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface FleetFaultFigures {
  /** Replica processes that exited during the run. */
  readonly crashes: number;
  readonly writesAcknowledged: number;
  /** Acknowledged writes missing from the database or from either replica's feeds afterwards. */
  readonly lostWrites: readonly string[];
  /** Reads, during an outage or while connections were being terminated, of feeds both replicas rendered before it. */
  readonly outageReads: number;
  /** Of those, answered 200 or 304 (from memory). */
  readonly outageReadsServed: number;
  /** Statuses of the others, with counts. */
  readonly outageReadFailures: Readonly<Record<string, number>>;
  /** Any 500 (or a response that never came) seen by any read or write. */
  readonly serverErrors: number;
  /** Changes pinged to the hub more than once, and acknowledged changes never pinged. */
  readonly duplicateDeliveries: number;
  readonly missedDeliveries: number;
  /** Resident memory of each replica in MB, after start (warmed) and at the end. */
  readonly rssMb: readonly { readonly before: number; readonly after: number }[];
  /** Resident memory of each replica in MB every 10 s of load: flat, or growing? */
  readonly rssTimelineMb: readonly (readonly number[])[];
  /** Where each replica's memory is at the end (MB, from /metrics): V8 heap in use, and buffers outside it. */
  readonly heapMb: readonly { readonly heapUsed: number; readonly heapTotal: number; readonly external: number }[];
  /** "cannot be reached" and "answers again" lines each replica logged. */
  readonly outageLogLines: readonly { readonly down: number; readonly up: number }[];
}

const TOKEN = 'fleet-fault-token';
const SITE = { title: 'Fleet', description: 'Fleet under faults', link: 'https://news.example.org/', language: 'en', copyright: '©', feedSize: 50, idAuthority: 'news.example.org,2019' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DESKS = ['Desk 0', 'Desk 1', 'Desk 2'];

/** The feeds every reader reads: rendered by both replicas before any fault, touched by writes throughout. */
export const WATCHED_PATHS: readonly string[] = [
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/ninjs.json',
  '/rss.xml?limit=5',
  '/news-sitemap.xml',
  '/sections/korea/atom.xml',
  ...DESKS.map((desk) => `/tags/${desk.toLowerCase().replace(' ', '-')}/rss.xml`),
];

function record(id: string, desk: string, n: number): Record<string, unknown> {
  return {
    id,
    url: `https://news.example.org/${id}.html`,
    headline: `Story ${id}`,
    summary: 'Summary.',
    body: `<p>Body of ${id}.</p>`,
    published: new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString(),
    language: 'en',
    section: 'Korea',
    // One tag of its own: the hub's pings of its feed count this change's deliveries.
    tags: [desk, `Change ${id}`],
    credits: [{ name: 'Ann Lee', role: 'reporter' }],
  };
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Runs the fleet under faults and returns what it saw; always removes the cluster, the processes and the folder. */
export async function runFleetFaults(options: FleetFaultOptions): Promise<FleetFaultFigures> {
  const say = options.say ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-fleet-'));
  mkdirSync(join(dir, 'articles'));
  writeFileSync(join(dir, 'site.json'), JSON.stringify(SITE));
  let cluster: ThrowawayCluster | undefined;
  const children: ChildProcess[] = [];
  let hub: Server | undefined;
  try {
    cluster = await startThrowawayCluster();
    const pool = createPool({ url: cluster.url, size: 1 });
    await migrate(pool);
    await pool.end();
    const pings = new Map<string, number>();
    hub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const topic = new URLSearchParams(body).get('hub.url') ?? '';
        pings.set(topic, (pings.get(topic) ?? 0) + 1);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hub!.listen(0, '127.0.0.1', resolve));
    const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/publish`;
    const exits: number[] = [];
    const outputs: string[] = [];
    const replicas: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const child = spawn(process.execPath, [options.main], {
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dir, DATABASE_URL: cluster.url, SITE_URL: 'https://feeds.example.org', INGEST_TOKEN: TOKEN, WEBSUB_HUB: hubUrl, LOG_LEVEL: 'warn', METRICS: 'true', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      outputs.push('');
      child.stdout?.on('data', (chunk: Buffer) => (outputs[i] += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (outputs[i] += chunk.toString()));
      child.on('exit', (code) => exits.push(code ?? -1));
      children.push(child);
      replicas.push(`http://127.0.0.1:${port}`);
    }
    for (const replica of replicas) await waitFor(`${replica} to start`, async () => (await fetch(`${replica}/healthz`)).status === 200, 30_000);

    const acknowledged: string[] = [];
    let serverErrors = 0;
    let n = 0;
    const put = async (replica: string): Promise<void> => {
      n += 1;
      const id = `w${n}`;
      const response = await fetch(`${replica}/api/articles/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(record(id, DESKS[n % DESKS.length]!, n)), signal: AbortSignal.timeout(20_000) }).catch(() => undefined);
      await response?.arrayBuffer();
      if (response === undefined || response.status === 500) serverErrors += 1;
      if (response?.status === 200 || response?.status === 201) acknowledged.push(id);
    };
    // Every watched feed exists and is rendered on both replicas before any fault.
    for (let i = 0; i < DESKS.length * 2; i += 1) await put(replicas[i % 2]!);
    await sleep(500);
    for (const replica of replicas) for (const path of WATCHED_PATHS) await waitFor(`${replica}${path}`, async () => (await fetch(`${replica}${path}`)).status === 200, 10_000);
    const rssBefore = children.map((child) => rssKb(child.pid!));

    const started = Date.now();
    const elapsed = (): number => (Date.now() - started) / 1000;
    const faulty = (): boolean => {
      const t = elapsed();
      return (t >= options.terminate.from && t < options.terminate.until) || options.outages.some((o) => t >= o.at && t < o.at + o.seconds + 1);
    };
    let outageReads = 0;
    let outageReadsServed = 0;
    const outageReadFailures: Record<string, number> = {};
    const end = started + options.seconds * 1000;
    const reader = async (replica: string, offset: number): Promise<void> => {
      for (let i = offset; Date.now() < end; i += 1) {
        const path = WATCHED_PATHS[i % WATCHED_PATHS.length]!;
        const during = faulty();
        const response = await fetch(`${replica}${path}`, { signal: AbortSignal.timeout(15_000) }).catch(() => undefined);
        await response?.arrayBuffer().catch(() => undefined);
        const status = response?.status ?? 0;
        if (status === 500 || status === 0) serverErrors += 1;
        if (during || faulty()) {
          outageReads += 1;
          if (status === 200 || status === 304) outageReadsServed += 1;
          else outageReadFailures[`${status} ${path}`] = (outageReadFailures[`${status} ${path}`] ?? 0) + 1;
        }
        await sleep(20);
      }
    };
    const writer = async (): Promise<void> => {
      const gap = 1000 / (options.writesPerSecond ?? 5);
      for (let i = 0; Date.now() < end; i += 1) {
        const next = Date.now() + gap;
        await put(replicas[i % 2]!);
        await sleep(Math.max(0, next - Date.now()));
      }
    };
    const admin = async (): Promise<void> => {
      const due = [...options.outages];
      let nextTermination = 0;
      while (Date.now() < end) {
        const outage = due[0];
        if (outage !== undefined && elapsed() >= outage.at) {
          due.shift();
          say(`database stopped at ${elapsed().toFixed(1)} s for ${outage.seconds} s`);
          cluster!.stop('immediate');
          await sleep(outage.seconds * 1000);
          cluster!.start();
          say(`database back at ${elapsed().toFixed(1)} s`);
          continue;
        }
        if (elapsed() >= options.terminate.from && elapsed() < options.terminate.until && Date.now() >= nextTermination) {
          nextTermination = Date.now() + options.terminate.everyMs;
          await terminateReplicaConnections(cluster!.url);
        }
        await sleep(50);
      }
    };
    const readers = options.readersPerReplica ?? 2;
    const timeline: number[][] = children.map(() => []);
    const sampler = setInterval(() => children.forEach((child, i) => child.exitCode === null && timeline[i]!.push(Math.round(rssKb(child.pid!) / 1024))), 10_000);
    await Promise.all([writer(), admin(), ...replicas.flatMap((replica) => Array.from({ length: readers }, (_, i) => reader(replica, i * 3)))]);

    clearInterval(sampler);
    // Settle: both replicas see the database, every acknowledged write, and the hub's pings stop changing.
    // A replica that exited is counted in `crashes`; the writes are looked for on the ones alive.
    const alive = replicas.filter((_, i) => children[i]!.exitCode === null && children[i]!.signalCode === null);
    for (const replica of alive) await waitFor(`${replica} to see the database`, async () => ((await (await fetch(`${replica}/healthz`)).json()) as { database: string }).database === 'up', 30_000);
    const lostWrites = await findLostWrites(cluster.url, alive, acknowledged);
    let total = -1;
    for (let still = 0; still < 3; ) {
      await sleep(1000);
      const now = [...pings.values()].reduce((sum, count) => sum + count, 0);
      still = now === total ? still + 1 : 0;
      total = now;
    }
    const perChange = acknowledged.map((id) => pings.get(`https://feeds.example.org/tags/change-${id}/rss.xml`) ?? 0);
    const heapMb = await Promise.all(alive.map(async (replica) => {
      const text = await (await fetch(`${replica}/metrics`)).text();
      const mb = (name: string): number => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1048576);
      return { heapUsed: mb('nodejs_heap_size_used_bytes'), heapTotal: mb('nodejs_heap_size_total_bytes'), external: mb('nodejs_external_memory_bytes') };
    }));
    const rssAfter = children.map((child) => (child.exitCode === null ? rssKb(child.pid!) : 0));
    return {
      crashes: exits.length,
      writesAcknowledged: acknowledged.length,
      lostWrites,
      outageReads,
      outageReadsServed,
      outageReadFailures,
      serverErrors,
      duplicateDeliveries: perChange.filter((count) => count > 1).length,
      missedDeliveries: perChange.filter((count) => count === 0).length,
      rssTimelineMb: timeline,
      heapMb,
      rssMb: rssBefore.map((before, i) => ({ before: Math.round(before / 1024), after: Math.round((rssAfter[i] ?? 0) / 1024) })),
      outageLogLines: outputs.map((output) => ({ down: output.match(/cannot be reached since/g)?.length ?? 0, up: output.match(/answers again/g)?.length ?? 0 })),
    };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    hub?.closeAllConnections();
    hub?.close();
    cluster?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
