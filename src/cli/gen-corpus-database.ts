import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../load/article.js';
import { displayName } from '../load/files.js';
import { ARTICLES_DIR } from '../load/load-data.js';
import type { Article } from '../model/types.js';
import { inTransaction, type Pool } from '../store/postgres/pool.js';
import { articleRow, contentHash, type ArticleRow } from '../store/postgres/rows.js';
import { recordChange, upsertArticles } from '../store/postgres/writes.js';
import { CORPUS_SITE, generateRecord } from './gen-corpus.js';

export interface DatabaseCorpusOptions {
  readonly count: number;
  readonly seed?: number;
  /** Where site.json goes (the server reads the site from DATA_DIR); the records are named as if under it. */
  readonly out: string;
}

/** Articles per transaction: one jsonb_to_recordset statement each for articles and feed entries (~6 MB of JSON). */
const BATCH = 1000;
/** Batches in flight at once (the pool needs as many connections). */
export const WRITERS = 2;

/**
 * The generated corpus straight into the database, no article files: the
 * same records `writeCorpus` would write (same bytes, so the same content
 * hash, and a later `sync` of a generated folder skips every file), each
 * parsed and its body sanitised as sync does. Generation and sanitising of
 * the next batch run in this process while PostgreSQL writes the previous
 * two (other processes: both cores busy).
 */
export async function writeCorpusToDatabase(pool: Pool, options: DatabaseCorpusOptions, onProgress?: (written: number) => void): Promise<{ articles: number; bytes: number }> {
  const seed = options.seed ?? 1;
  mkdirSync(options.out, { recursive: true });
  writeFileSync(join(options.out, 'site.json'), `${JSON.stringify(CORPUS_SITE, null, 2)}\n`);
  // Two batches written at once, on two connections: the database's share of the work (JSON parsing, TOAST
  // compression, index updates) runs in two server processes while this one generates the next batch.
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  let bytes = 0;
  for (let start = 0; start < options.count; start += BATCH) {
    const rows: ArticleRow[] = [];
    const articles: Article[] = [];
    for (let i = start; i < Math.min(options.count, start + BATCH); i++) {
      const record = generateRecord(seed, i);
      const text = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
      bytes += text.length;
      const name = `${String(record.id)}.json`;
      const parsed = parseArticle(record, displayName(options.out, ARTICLES_DIR, name), { language: CORPUS_SITE.language });
      if (parsed.article === undefined) throw new Error(`generated record ${i} is invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
      rows.push(articleRow(parsed.article, record, contentHash(CORPUS_SITE.language, text), name));
      articles.push(parsed.article);
    }
    while (inFlight.size >= WRITERS) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const write: Promise<void> = inTransaction(pool, async (client) => {
      await upsertArticles(client, rows, articles);
      await recordChange(client, articles);
    }).then(
      () => {
        written += rows.length;
        onProgress?.(written);
      },
      (error: unknown) => void (failure ??= error),
    );
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  await pool.query('ANALYZE articles, feed_entries');
  return { articles: options.count, bytes };
}
