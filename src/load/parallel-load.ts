/**
 * Loading every article file on several threads.
 *
 * At 100,000 records, reading, decoding and validating take several seconds
 * of one core even with bodies left on disk, against a start-up budget of
 * three. The work is independent per file, so loader threads and the main
 * thread take chunks of file names from one shared counter (whoever is
 * free takes the next chunk, so a slow or busy thread holds nothing up),
 * each validates its files exactly as loadArticleFile does (the same
 * readArticleFile), and the threads post back plain results. The main
 * thread rebuilds the error objects, attaches the lazy bodies, and returns
 * the records in name order: the same FileRecords as loadArticleFiles.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { Site } from '../model/types.js';
import type { FileRecord } from './file-record.js';
import { ArticleError } from './errors.js';
import { listJsonFiles, MAX_RECORD_BYTES } from './files.js';
import { ArticleInterner } from './intern.js';
import { createLoadMemo, type LoadMemo } from './load-memo.js';
import { ARTICLES_DIR, attachBody, BODIES_ON_DISK_FROM, readArticleFile, type ArticleFileRead, type BodyStorage } from './load-data.js';

/** Names per chunk: large enough that posting results is cheap, small enough to balance threads. */
export const CHUNK_SIZE = 1000;
/** Old generation of a loader thread, MB (see where the threads start). */
const WORKER_OLD_GENERATION_MB = 64;
/** Below this many files a thread costs more to start than it saves. */
const PARALLEL_FROM = 4 * CHUNK_SIZE;

/** What the loader threads are given (workerData). */
export interface LoadJob {
  readonly dataDir: string;
  readonly names: readonly string[];
  readonly language: string;
  readonly maxBytes: number;
  readonly bodies: BodyStorage;
  /** Int32Array over a SharedArrayBuffer: [next chunk to take]. */
  readonly counter: SharedArrayBuffer;
}

/** A read as posted between threads: errors as plain fields (an Error loses its own fields when cloned). */
export type PostedRead = Omit<ArticleFileRead, 'errors' | 'warnings'> & {
  readonly errors: readonly PlainError[];
  readonly warnings: readonly PlainError[];
};
type PlainError = { readonly file: string; readonly field: string | undefined; readonly problem: string };

export function toPosted(read: ArticleFileRead): PostedRead {
  const plain = (e: ArticleError): PlainError => ({ file: e.file, field: e.field, problem: e.problem });
  return { ...read, errors: read.errors.map(plain), warnings: read.warnings.map(plain) };
}

function fromPosted(posted: PostedRead): ArticleFileRead {
  const error = (e: PlainError): ArticleError => new ArticleError(e.file, e.field, e.problem);
  return { ...posted, errors: posted.errors.map(error), warnings: posted.warnings.map(error) };
}

/** Takes the next chunk index from the shared counter. */
export function takeChunk(counter: Int32Array): number {
  return Atomics.add(counter, 0, 1);
}

/** Reads the chunk's files (one thread's share of the work), reusing the thread's `memo`. */
export function readChunk(job: Omit<LoadJob, 'counter'>, chunk: number, memo: LoadMemo): ArticleFileRead[] {
  return job.names.slice(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE).map((name) => readArticleFile(job.dataDir, name, job.language, job.maxBytes, job.bodies, memo));
}

/** Files the main thread reads between two turns of the event loop: ~10 ms, so /healthz and /readyz answer during a load. */
const MAIN_THREAD_SLICE = 100;

/** readChunk on the main thread, giving the event loop a turn every MAIN_THREAD_SLICE files. */
async function readChunkYielding(job: Omit<LoadJob, 'counter'>, chunk: number, onRead: (files: number) => void, memo: LoadMemo): Promise<ArticleFileRead[]> {
  const names = job.names.slice(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE);
  const reads: ArticleFileRead[] = [];
  for (let from = 0; from < names.length; from += MAIN_THREAD_SLICE) {
    for (const name of names.slice(from, from + MAIN_THREAD_SLICE)) reads.push(readArticleFile(job.dataDir, name, job.language, job.maxBytes, job.bodies, memo));
    onRead(Math.min(MAIN_THREAD_SLICE, names.length - from));
    await yieldToEventLoop();
  }
  return reads;
}

/** How loadArticleFilesInParallel is run. */
export interface ParallelLoadOptions {
  readonly maxBytes?: number;
  readonly threads?: number;
  readonly mainThreadReads?: boolean;
  readonly bodies?: BodyStorage;
  /** The files to read (names inside articles/), in the order wanted; default: every `*.json` there. */
  readonly names?: readonly string[];
  /** Called as files are read, with how many more were (for progress lines). */
  readonly onRead?: (files: number) => void;
  /** Heap limits of each loader thread (default: see where the threads start); tests make them tiny to see a thread fail. */
  readonly threadLimits?: { readonly maxYoungGenerationSizeMb: number; readonly maxOldGenerationSizeMb: number };
  /** The store's memo (see load-memo.ts), used on the main thread and by the bodies; default: one for this load. Loader threads make their own. */
  readonly memo?: LoadMemo;
}

/** Loader threads to start: one per core beyond the main thread's, at most 3; 0 for small data. */
function loaderThreads(files: number): number {
  return files < PARALLEL_FROM ? 0 : Math.min(3, Math.max(1, availableParallelism() - 1));
}

/**
 * Same result as loadArticleFiles, using `threads` loader threads besides
 * the main thread. Falls back to one thread when the compiled worker script
 * is not there (running from TypeScript sources, as the tests do).
 */
export async function loadArticleFilesInParallel(dataDir: string, site: Site, options: ParallelLoadOptions = {}): Promise<FileRecord[]> {
  const names = options.names ?? listJsonFiles(join(dataDir, ARTICLES_DIR));
  const onRead = options.onRead ?? (() => undefined);
  const maxBytes = options.maxBytes ?? MAX_RECORD_BYTES;
  const script = new URL('./load-worker.js', import.meta.url);
  const threads = existsSync(fileURLToPath(script)) ? (options.threads ?? loaderThreads(names.length)) : 0;
  const counter = new SharedArrayBuffer(4);
  // Bodies stay on disk only for corpora too large to hold them all (see BodyStorage).
  const bodies: BodyStorage = options.bodies ?? (names.length >= BODIES_ON_DISK_FROM ? 'disk' : 'memory');
  const job: LoadJob = { dataDir, names, language: site.language, maxBytes, bodies, counter };
  const chunks = Math.ceil(names.length / CHUNK_SIZE);
  // Each chunk becomes FileRecords as soon as it is read, so its plain reads are garbage at once instead of
  // all 100,000 being held next to their records at the end (a transient ~30 MB of peak RSS).
  const results: (readonly FileRecord[] | undefined)[] = new Array(chunks);
  const interner = new ArticleInterner();
  const memo = options.memo ?? createLoadMemo();
  const complete = (read: ArticleFileRead): FileRecord => attachBody(dataDir, read.article === undefined ? read : { ...read, article: interner.article(read.article) }, memo.bodies);
  const workers = Array.from({ length: threads }, () => {
    // A small young generation: a larger one (48 MB) saved no measurable time and cost ~45 MB of peak RSS.
    // A small old generation too: a thread holds one chunk at a time, and without a limit its heap grew
    // to ~100 MB of garbage before being collected, on top of the main thread's at its largest.
    const worker = new Worker(script, { workerData: job, resourceLimits: options.threadLimits ?? { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: WORKER_OLD_GENERATION_MB } });
    return new Promise<void>((resolve) => {
      worker.on('message', (message: { chunk: number; reads: PostedRead[] }) => {
        results[message.chunk] = message.reads.map((posted) => complete(fromPosted(posted)));
        onRead(message.reads.length);
      });
      // A thread that fails (out of memory on a chunk of huge records) loses only the chunk it held: it is
      // read again on the main thread below, where the heap has no such limit.
      worker.on('error', () => undefined);
      worker.on('exit', () => resolve());
    });
  });
  const shared = new Int32Array(counter);
  if (options.mainThreadReads !== false || threads === 0) {
    for (let chunk = takeChunk(shared); chunk < chunks; chunk = takeChunk(shared)) results[chunk] = (await readChunkYielding(job, chunk, onRead, memo)).map(complete);
  }
  await Promise.all(workers);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    results[chunk] ??= (await readChunkYielding(job, chunk, onRead, memo)).map(complete);
  }
  const records: FileRecord[] = [];
  results.forEach((chunkRecords, chunk) => {
    if (chunkRecords === undefined) throw new Error(`article loader lost chunk ${chunk}`);
    for (const record of chunkRecords) records.push(record);
  });
  return records;
}
