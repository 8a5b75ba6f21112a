/**
 * The persisted index of parsed article files: what lets a restart over
 * 100,000 unchanged files skip reading and validating them (several seconds
 * of two cores) and take their parsed form from one file instead.
 *
 * Layout (UTF-16LE text, one JSON value per line):
 *   shard lines   JSON arrays of encoded records (index-codec.ts), SHARD records each
 *   trailer line  {format, wirefeed, dataDir, articlesDir, language, maxBytes, records, shards: [byte lengths], strings, credits}
 *   footer line   the trailer's byte offset, space-padded to FOOTER_CHARS - 1 characters
 * The tables come last because they grow while the shards are written; the
 * shards are read one at a time, so reading never holds the whole file.
 * UTF-16LE, not UTF-8: headlines and captions in Burmese, Tibetan or Korean
 * are most of the text, and decoding them from UTF-8 took longer than
 * JSON.parse itself (~0.2 s of a restart at 100,000); UTF-16LE decodes by
 * copying, for a file about 1.6 times larger.
 *
 * An index is used only if its identity (format number, article columns,
 * wirefeed version, data folder, the site language records default to,
 * size limit) matches;
 * anything else, or any damage (truncation, bad JSON, a wrong length), makes
 * it unusable as a whole: the caller logs one line and reads every file.
 * Entries are never trusted on their own: the caller compares each file's
 * version (size, mtime, ctime, inode) with the indexed one first.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FileVersion } from '../../load/files.js';
import type { BodySource } from '../../load/lazy-body.js';
import { removeStaleTempFiles, writeFileAtomicFrom } from '../../load/write.js';
import type { FileRecord } from '../snapshot.js';
import { IndexDecoder, IndexEncoder, type EncodedRecord, type IndexedRecord, type IndexTables } from './index-codec.js';

/**
 * Bumped whenever the layout or the record encoding changes, or what it stores does (4: slugs of issue 24,
 * kept in credits; 5: the file's slots first, then one column per article field; 6: image rights of issue 26): an index of another
 * format is rebuilt. A field added to ARTICLE_FIELDS changes the identity's `columns` instead.
 */
export const INDEX_FORMAT = 6;
/** Records per shard line: small enough to parse between two turns of the event loop (~5 ms). */
const SHARD = 1000;
const ENCODING = 'utf16le';
/** Characters of the footer line (the trailer's byte offset, padded, and a newline), and its bytes. */
const FOOTER_CHARS = 21;
const FOOTER_BYTES = FOOTER_CHARS * 2;

/** What an index must have been written for to be used. */
export interface IndexIdentity {
  readonly format: number;
  /** The article fields each record holds, by name and shape (index-codec.ts INDEX_COLUMNS). */
  readonly columns: string;
  /** The wirefeed package version: a new release may parse records differently. */
  readonly wirefeed: string;
  /** The resolved DATA_DIR: sources are named after it. */
  readonly dataDir: string;
  /** The real path of DATA_DIR/articles: a folder swapped for a link elsewhere holds other files. */
  readonly articlesDir: string;
  /** The site's language, which records without one take. */
  readonly language: string;
  readonly maxBytes: number;
}

interface Trailer extends IndexIdentity, IndexTables {
  readonly records: number;
  readonly shards: readonly number[];
}

/** The wirefeed package version, from package.json (three folders up from src/store/files and dist/src/store/files alike). */
export function wirefeedVersion(): string {
  // Three folders up from src/store/files (tests), four from dist/src/store/files (the built server): an
  // index written by another version must be recognised as such, so both places are tried.
  for (const up of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'wirefeed' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there: try the next folder up.
    }
  }
  return 'unknown';
}

/** The index file's name in the cache folder: one per data folder, so a shared CACHE_DIR serves several. */
export function indexFileName(dataDir: string): string {
  return `article-index-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.jsonl`;
}

/** True for records the index keeps: parsed without errors (rejected files are few and are read again at each start). */
function indexable(record: FileRecord): record is FileRecord & Required<Pick<FileRecord, 'article' | 'version'>> {
  return record.article !== undefined && record.version !== undefined && record.errors.length === 0;
}

/**
 * Writes the index of `records` to `dir/name`, atomically (readers see the
 * old index or the new one). The event loop gets a turn between shards.
 */
export async function writeRecordIndex(dir: string, name: string, identity: IndexIdentity, records: readonly FileRecord[]): Promise<number> {
  const kept = records.filter(indexable);
  const encoder = new IndexEncoder();
  const shards: number[] = [];
  let offset = 0;
  // One buffer for every line, reused once the previous line is written (writeFileAtomicFrom awaits each):
  // a new 2 MB buffer per shard was freed only by an occasional full GC, and raised the peak RSS by ~50 MB.
  let scratch = Buffer.alloc(0);
  const encoded = (text: string): Buffer => {
    const bytes = text.length * 2;
    if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2));
    return scratch.subarray(0, scratch.write(text, 0, ENCODING));
  };
  async function* lines(): AsyncGenerator<Buffer> {
    for (let from = 0; from < kept.length; from += SHARD) {
      const shard: EncodedRecord[] = kept.slice(from, from + SHARD).map((r) => encoder.encode(r.name, r.version, r.article, r.warnings));
      const line = encoded(`${JSON.stringify(shard)}\n`);
      shards.push(line.length);
      offset += line.length;
      yield line;
      await yieldToEventLoop();
    }
    const trailer: Trailer = { ...identity, records: kept.length, shards, ...encoder.tables() };
    yield Buffer.from(`${JSON.stringify(trailer)}\n`, ENCODING);
    yield Buffer.from(`${String(offset).padEnd(FOOTER_CHARS - 1)}\n`, ENCODING);
  }
  // A write cut short (the server stopped mid-write) leaves a hidden temp file; an hour old, it is nobody's.
  removeStaleTempFiles(dir);
  await writeFileAtomicFrom(dir, name, lines());
  return kept.length;
}

export type IndexRead = { readonly ok: true; readonly records: readonly IndexedRecord[] } | { readonly ok: false; readonly problem: string };

function readRange(fd: number, position: number, length: number): string {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) throw new Error('the file ends early (truncated)');
    read += n;
  }
  return buffer.toString(ENCODING);
}

function sameIdentity(a: IndexIdentity, b: IndexIdentity): string | undefined {
  for (const key of Object.keys(b) as (keyof IndexIdentity)[]) {
    if (a[key] !== b[key]) return `it was written for ${key} ${JSON.stringify(a[key])}, not ${JSON.stringify(b[key])}`;
  }
  return undefined;
}

/**
 * Reads the index at `path` if it was written for `identity`; `shownAs`
 * names a file as the loader does (the articles' `source`), `body` gives
 * where an article's body is read from. Never throws:
 * a missing, foreign or damaged index is `{ ok: false, problem }`. Gives the
 * event loop a turn between shards, so the server answers /healthz meanwhile.
 */
export async function readRecordIndex(path: string, identity: IndexIdentity, shownAs: (name: string) => string, body: (name: string, version: FileVersion) => BodySource): Promise<IndexRead> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size < FOOTER_BYTES) return { ok: false, problem: 'it is truncated' };
    const footer = readRange(fd, size - FOOTER_BYTES, FOOTER_BYTES);
    const trailerAt = /^\d+ *\n$/.test(footer) ? Number(footer.trim()) : NaN;
    if (!Number.isSafeInteger(trailerAt) || trailerAt > size - FOOTER_BYTES) return { ok: false, problem: 'it is truncated or damaged (no footer)' };
    const trailer = JSON.parse(readRange(fd, trailerAt, size - FOOTER_BYTES - trailerAt)) as Trailer;
    const foreign = sameIdentity(trailer, identity);
    if (foreign !== undefined) return { ok: false, problem: foreign };
    if (!Array.isArray(trailer.shards) || trailer.shards.reduce((sum, n) => sum + n, 0) !== trailerAt) return { ok: false, problem: 'its shard lengths do not add up (damaged)' };
    const decoder = new IndexDecoder(trailer);
    const records: IndexedRecord[] = [];
    let position = 0;
    for (const length of trailer.shards) {
      const shard = JSON.parse(readRange(fd, position, length)) as EncodedRecord[];
      position += length;
      for (const encoded of shard) records.push(decoder.decode(encoded, shownAs(encoded[0]), body));
      await yieldToEventLoop();
    }
    if (records.length !== trailer.records) return { ok: false, problem: `it holds ${records.length} records instead of ${trailer.records} (damaged)` };
    return { ok: true, records };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, problem: 'there is none yet' };
    return { ok: false, problem: `it cannot be used (${(error as Error).message})` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
