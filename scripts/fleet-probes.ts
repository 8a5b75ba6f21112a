import pg from 'pg';

/** What the fleet fault run (fleet-faults.ts) does to the database and asks of the replicas. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** pg_terminate_backend of every connection the replicas hold (pool and LISTEN). */
export async function terminateReplicaConnections(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'wirefeed%' AND pid <> pg_backend_pid()");
  } catch {
    // The cluster is stopping or starting: nothing to terminate.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Acknowledged writes not in the database, or not in either replica's feed of their own tag. */
export async function findLostWrites(url: string, replicas: readonly string[], acknowledged: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const stored = new Set((await client.query<{ id: string }>('SELECT id FROM articles')).rows.map((row) => row.id));
  await client.end();
  const lost = new Set(acknowledged.filter((id) => !stored.has(id)));
  for (const id of acknowledged) {
    for (const replica of replicas) {
      const shown = await waitFor(`${id} on ${replica}`, async () => (await (await fetch(`${replica}/tags/change-${id}/feed.json`)).text()).includes(`"Story ${id}"`), 10_000).then(
        () => true,
        () => false,
      );
      if (!shown) lost.add(id);
    }
  }
  return [...lost];
}

export async function waitFor(what: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}
