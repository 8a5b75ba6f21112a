import { parseArticle } from '../load/article.js';
import { createParseMemo } from '../load/load-memo.js';
import { displayName } from '../load/files.js';
import { ARTICLES_DIR } from '../load/load-data.js';
import type { Article } from '../model/types.js';
import { articleRow, contentHash, type ArticleRow } from '../store/postgres/rows.js';
import { CORPUS_SITE, generateRecord } from './gen-corpus.js';

/** Which records of the corpus one batch holds: [start, end) of seed. */
export interface CorpusBatchJob {
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  /** The folder the records are named as if under (their `source`). */
  readonly out: string;
}

/** One batch ready to store: rows, the parsed articles (for feed entries and the change), record bytes. */
export interface CorpusBatch {
  readonly rows: readonly ArticleRow[];
  readonly articles: readonly Article[];
  readonly bytes: number;
}

/**
 * Generates records [start, end) and makes of each what sync would make of
 * its file: the same bytes (so the same content hash), parsed and its body
 * sanitised, its row built. Pure CPU: run on a thread per core.
 */
export function buildCorpusBatch(job: CorpusBatchJob): CorpusBatch {
  const rows: ArticleRow[] = [];
  const articles: Article[] = [];
  let bytes = 0;
  // This batch's own (a batch runs on one thread): generated names repeat across its records.
  const memo = createParseMemo();
  for (let i = job.start; i < job.end; i++) {
    const record = generateRecord(job.seed, i);
    const json = `${JSON.stringify(record, null, 2)}\n`;
    const text = Buffer.from(json);
    bytes += text.length;
    const name = `${String(record.id)}.json`;
    const parsed = parseArticle(record, displayName(job.out, ARTICLES_DIR, name), { language: CORPUS_SITE.language, memo });
    if (parsed.article === undefined) throw new Error(`generated record ${i} is invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
    rows.push(articleRow(parsed.article, record, json, contentHash(CORPUS_SITE.language, text), name));
    articles.push(parsed.article);
  }
  return { rows, articles, bytes };
}
