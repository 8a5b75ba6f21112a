import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTransaction, type Pool } from '../store/postgres/pool.js';
import { recordChange, upsertArticles } from '../store/postgres/writes.js';
import type { CorpusBatch, CorpusBatchJob } from './gen-corpus-batch.js';
import { createBatchBuilders } from './gen-corpus-threads.js';
import { CORPUS_SITE } from './gen-corpus.js';

export interface DatabaseCorpusOptions {
  readonly count: number;
  readonly seed?: number;
  /** Where site.json goes (the server reads the site from DATA_DIR); the records are named as if under it. */
  readonly out: string;
  /** Threads building batches (default: one per core). */
  readonly threads?: number;
}

/** Articles per transaction: one COPY each into articles and feed entries (~13 MB of rows). */
const BATCH = 1000;
/** Batches in flight at once (the pool needs as many connections). */
const WRITERS = 2;

/**
 * The generated corpus straight into the database, no article files: the
 * same records `writeCorpus` would write (same bytes, so the same content
 * hash, and a later `sync` of a generated folder skips every file), each
 * parsed and its body sanitised as sync does. Batches are generated and
 * sanitised on a thread per core while PostgreSQL writes the previous two.
 */
export async function writeCorpusToDatabase(pool: Pool, options: DatabaseCorpusOptions, onProgress?: (written: number) => void): Promise<{ articles: number; bytes: number }> {
  const seed = options.seed ?? 1;
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'site.json'), `${JSON.stringify(CORPUS_SITE, null, 2)}\n`);
  // Two batches written at once, on two connections: the database's share of the work (JSON parsing, TOAST
  // compression, index updates) runs in two server processes while the threads build the next batches.
  const builders = createBatchBuilders(options.threads);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  let bytes = 0;
  const job = (start: number): CorpusBatchJob => ({ seed, start, end: Math.min(options.count, start + BATCH), out: options.out });
  // Built ahead: one batch per thread and per writer, so neither side waits for the other.
  const ahead = WRITERS + 2;
  const building: Promise<CorpusBatch>[] = [];
  let next = 0;
  const queue = () => {
    while (building.length < ahead && next < options.count) {
      building.push(builders.build(job(next)));
      next += BATCH;
    }
  };
  try {
    queue();
    while (building.length > 0) {
      const batch = await (building.shift() as Promise<CorpusBatch>);
      queue();
      bytes += batch.bytes;
      while (inFlight.size >= WRITERS) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      const write: Promise<void> = inTransaction(pool, async (client) => {
        await upsertArticles(client, batch.rows, batch.articles);
        await recordChange(client, batch.articles, batch.articles);
      }).then(
        () => {
          written += batch.rows.length;
          onProgress?.(written);
        },
        (error: unknown) => void (failure ??= error),
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    }
  } finally {
    await Promise.allSettled(building);
    await builders.close();
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  await pool.query('ANALYZE articles, feed_entries');
  return { articles: options.count, bytes };
}
