import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createActivityPub, type ActivityPub, type ActivityPubOptions } from '../../src/activitypub/activitypub.js';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { createScratchDatabase } from '../helpers/postgres.js';
import { makeDataDir } from '../live/data-dir.js';

/** One wirefeed replica with ActivityPub on, served on 127.0.0.1 with SITE_URL at its own address (or `baseUrl`). */
export interface Replica {
  readonly host: string;
  readonly store: Store;
  readonly activitypub: ActivityPub;
  readonly dataDir: string;
  readonly logs: string[];
  /** The private exponent of an actor's stored key, read from where the backend keeps it. */
  privateKeyOf(actor: string): Promise<string>;
  close(): Promise<void>;
}

export type Tuning = Partial<Pick<ActivityPubOptions, 'retryBaseMs' | 'dropAfterMs' | 'clock'>>;

/** A server whose address is known before the app that will answer on it is built (SITE_URL must name it). */
async function listening(): Promise<{ server: Server; host: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function privateKeyOf(dataDir: string, databaseUrl: string | undefined, actor: string): Promise<string> {
  if (databaseUrl === undefined) return (JSON.parse(readFileSync(join(dataDir, 'activitypub', 'keys', `${Buffer.from(actor).toString('base64url')}.json`), 'utf8')) as { privateKey: { d: string } }).privateKey.d;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ d: string }>("SELECT private_key->>'d' AS d FROM ap_keys WHERE actor = $1", [actor])).rows[0]?.d ?? '';
  } finally {
    await client.end();
  }
}

async function serve(server: Server, host: string, store: Store, dataDir: string, databaseUrl: string | undefined, tuning: Tuning, closeStore: () => Promise<void>): Promise<Replica> {
  const logs: string[] = [];
  const activitypub = createActivityPub({ store, dataDir, ...(databaseUrl === undefined ? {} : { databaseUrl }), log: (line) => void (logs.push(line), process.env.AP_DEBUG && console.error(line)), allowPrivateAddress: true, pollMs: 100, retryBaseMs: 100, ...tuning });
  server.on('request', createApp({ store, activitypub: activitypub.handler, log: () => undefined }).listener);
  await activitypub.start().sync();
  return {
    host,
    store,
    activitypub,
    dataDir,
    logs,
    privateKeyOf: (actor) => privateKeyOf(dataDir, databaseUrl, actor),
    async close() {
      await activitypub.close();
      await new Promise((resolve) => server.close(resolve));
      await closeStore();
    },
  };
}

/** The records every test starts with: one story published before ActivityPub was turned on. */
const OLDER = [makeRecord({ id: 'before-activitypub', headline: 'Older story' })];

export async function filesReplica(tuning: Tuning = {}): Promise<Replica> {
  const { server, host } = await listening();
  const overrides = { baseUrl: `http://${host}`, fallbackBaseUrl: `http://${host}` };
  const data = makeDataDir(OLDER, SITE_RECORD);
  const store = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, overrides), siteOverrides: overrides, watch: false, rescanIntervalMs: 0, log: () => undefined });
  return serve(server, host, store, data.dir, undefined, tuning, async () => {
    await store.close();
    data.remove();
  });
}

/** `count` replicas on one fresh database; all have SITE_URL at the first one's address (the one followers reach). */
export async function postgresReplicas(count: number, tuning: Tuning = {}): Promise<Replica[]> {
  const scratch = await createScratchDatabase();
  const pool = createPool({ url: scratch.url });
  await migrate(pool);
  await pool.end();
  const servers = await Promise.all(Array.from({ length: count }, () => listening()));
  const host = servers[0]?.host as string;
  const overrides = { baseUrl: `http://${host}`, fallbackBaseUrl: `http://${host}` };
  const replicas: Replica[] = [];
  let open = count;
  for (const [i, { server }] of servers.entries()) {
    const data = makeDataDir([], SITE_RECORD);
    const store = await createPostgresStore({ url: scratch.url, site: loadSite(data.dir, overrides), dataDir: data.dir, log: () => undefined });
    if (i === 0) for (const record of OLDER) await store.put(String(record.id), Buffer.from(JSON.stringify(record)));
    replicas.push(
      await serve(server, host, store, data.dir, scratch.url, tuning, async () => {
        await store.close();
        data.remove();
        open -= 1;
        if (open === 0) await scratch.drop();
      }),
    );
  }
  return replicas;
}
