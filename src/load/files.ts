import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { canonicalRecord } from './canonical-record.js';
import { ArticleError } from './errors.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { oneReadReader, type RecordFileReader } from './record-file-reader.js';

/** Article files larger than this are refused without being read. */
export const MAX_RECORD_BYTES = 5 * 1024 * 1024;

/** A decoded record (in its canonical form, canonical-record.ts) and the JSON text it was parsed from, or why there is none. */
export type ReadResult = { readonly ok: true; readonly value: unknown; readonly text?: string } | { readonly ok: false; readonly error: ArticleError };

/**
 * Which version of a file was read: enough to tell, when the file is read
 * again later (a lazily loaded body), whether it is still the same version.
 * ctime cannot be set back by a writer (unlike mtime), so an edit that keeps
 * the size and restores the mtime is still seen; a replacement by rename
 * changes the inode.
 */
export interface FileVersion {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export type VersionedReadResult =
  | (ReadResult & { readonly ok: false })
  | {
      readonly ok: true;
      readonly value: unknown;
      /** The file's text (absent when a field was deferred): what PostgreSQL's sync stores, byte for byte. */
      readonly text?: string;
      readonly version: FileVersion;
      /** True when the top-level `deferField` was checked but not decoded: it holds DEFERRED_VALUE. */
      readonly deferred: boolean;
    };

/** What a deferred field holds in a decoded record (see readJsonFile's `deferField`). */
export const DEFERRED_VALUE = '\uE000wirefeed: deferred, read again on use\uE000';

function versionOf(stat: Stats): FileVersion {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

/** A file version as one string (inode, size, mtime, ctime): any write or rename changes it. */
export function versionStamp(v: FileVersion): string {
  return `${v.ino}:${v.size}:${v.mtimeMs}:${v.ctimeMs}`;
}

export function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/**
 * How a file is named in messages: relative to the data directory's parent
 * (`data/articles/x.json`), so logs and /healthz never show absolute paths.
 */
export function displayName(dataDir: string, ...parts: string[]): string {
  return [basename(dataDir) || 'data', ...parts].join('/');
}

/** Names of the `*.json` entries in a folder, sorted; [] when the folder does not exist. */
export function listJsonFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
}

/**
 * Reads and decodes one JSON record file safely: refuses directories,
 * links that lead outside `root`, files over `maxBytes` (checked before
 * reading) and bytes that are not UTF-8; accepts a UTF-8 byte order mark;
 * reports JSON syntax errors with line and column. Never throws. `reader`:
 * the load's or store's (resolved folders and a read buffer, reused).
 */
export function readJsonFile(root: string, path: string, shownAs: string, maxBytes = MAX_RECORD_BYTES, deferField?: string, reader: RecordFileReader = oneReadReader()): VersionedReadResult {
  const fail = (problem: string): VersionedReadResult => ({ ok: false, error: new ArticleError(shownAs, undefined, problem) });
  let fd: number | undefined;
  try {
    const link = lstatSync(path);
    let target: string;
    try {
      // A plain file's real path is its folder's real path and its name: one lstat, no realpath per file.
      target = link.isSymbolicLink() ? realpathSync(path) : join(reader.realDir(dirname(path)), basename(path));
    } catch (error) {
      if (link.isSymbolicLink() && (error as NodeJS.ErrnoException).code === 'ENOENT') return fail('is a link to a file that does not exist');
      throw error;
    }
    // Checked for every file, not only links: a linked folder on the way (articles/ -> /etc) leads outside too.
    const inside = relative(reader.realDir(root), target);
    if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      return fail(link.isSymbolicLink() ? 'is a link to a file outside the data directory and was refused' : 'is reached through a link that leads outside the data directory and was refused');
    }
    // O_NONBLOCK: opening a FIFO named like an article would otherwise wait forever for a writer (and hang
    // the whole load); non-blocking, it opens at once and fstat refuses it below. No effect on regular files.
    fd = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return fail('is a directory, not an article file');
    if (!stat.isFile()) return fail('is not a regular file');
    if (stat.size > maxBytes) return fail(`is ${stat.size} bytes; the limit is ${maxBytes} bytes`);
    const bytes = reader.readAll(fd, stat.size);
    const fast = deferField === undefined ? undefined : decodeDeferring(bytes, deferField);
    if (fast !== undefined) return { ok: true, value: fast, version: versionOf(stat), deferred: true };
    const decoded = decodeJson(bytes, shownAs);
    return decoded.ok ? { ok: true, value: decoded.value, text: decoded.text as string, version: versionOf(stat), deferred: false } : decoded;
  } catch (error) {
    return fail(readProblem(error));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads a record again, but only if it is still the version `expected`
 * (checked before and after reading, so a write during the read is seen
 * too). Returns undefined when the file changed or is gone: the caller
 * must not mix this file's new content with what it loaded before.
 */
export function readJsonFileVersion(path: string, shownAs: string, expected: FileVersion): ReadResult | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (!sameVersion(versionOf(fstatSync(fd)), expected)) return undefined;
    const bytes = oneReadReader().readAll(fd, expected.size);
    if (!sameVersion(versionOf(fstatSync(fd)), expected)) return undefined;
    return decodeJson(bytes, shownAs);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'disappeared while it was being read';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a directory, not an article file';
  if (code === 'ELOOP') return 'is a link that loops';
  return `cannot be read (${code ?? 'unknown error'})`;
}

const isHex = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));

/**
 * Index of the closing quote of the JSON string opening at `open`, or -1 if
 * JSON.parse would refuse the string (a raw control character, a bad escape,
 * no end). One pass over the bytes, making no garbage: bytes of multi-byte
 * UTF-8 characters are all ≥ 0x80 and pass through.
 */
function endOfJsonString(bytes: Buffer, open: number): number {
  const end = bytes.length;
  for (let k = open + 1; k < end; k++) {
    const b = bytes[k] as number;
    if (b === 0x22) return k;
    if (b < 0x20) return -1;
    if (b === 0x5c) {
      const e = bytes[k + 1];
      if (e === 0x75) {
        if (!(isHex(bytes[k + 2]) && isHex(bytes[k + 3]) && isHex(bytes[k + 4]) && isHex(bytes[k + 5]))) return -1;
        k += 5;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        k += 1;
      } else {
        return -1;
      }
    }
  }
  return -1;
}
const JSON_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Decodes a record without decoding one big top-level string field (the
 * body: three quarters of a record's bytes). At 100,000 records, decoding
 * and parsing bodies only to drop them took half the load time and most of
 * the garbage. The field's extent is found in the bytes, checked to be a
 * well-formed, non-blank JSON string, and replaced by DEFERRED_VALUE before
 * the (much smaller) rest is decoded and parsed by JSON.parse.
 *
 * Only the clear case takes this path: one raw `"field"` key in the file,
 * valid UTF-8, no BOM, a value starting with a visible ASCII character, and
 * the placeholder landing at the top level. Anything else returns undefined
 * and the caller decodes the whole file, which gives exactly the result (and
 * the error message) it always did. The accepted and rejected records are
 * the same either way: JSON.parse of the original would succeed with a
 * string there, and field validation only asks that it be a non-blank string.
 */
export function decodeDeferring(bytes: Buffer, field: string): Record<string, unknown> | undefined {
  if (bytes.length > 10_000_000 || bytes[0] === 0xef) return undefined;
  // Made per call: ~0.1 µs, no measurable part of a load (100,000 took 11 ms either way, memo or not).
  const key = Buffer.from(`"${field}"`);
  const at = bytes.indexOf(key);
  if (at < 0) return undefined;
  let i = at + key.length;
  while (JSON_SPACE.has(bytes[i] as number)) i++;
  if (bytes[i] !== 0x3a) return undefined;
  i++;
  while (JSON_SPACE.has(bytes[i] as number)) i++;
  if (bytes[i] !== 0x22) return undefined;
  const open = i;
  const close = endOfJsonString(bytes, open);
  if (close < 0) return undefined;
  const first = bytes[open + 1] as number;
  if (first < 0x21 || first > 0x7e || first === 0x5c) return undefined;
  if (bytes.indexOf(key, close + 1) >= 0 || !isUtf8(bytes) || exceedsJsonDepth(bytes, MAX_JSON_DEPTH, open, close + 1)) return undefined;
  let value: unknown;
  try {
    const text = bytes.toString('utf8', 0, open) + JSON.stringify(DEFERRED_VALUE) + bytes.toString('utf8', close + 1);
    value = canonicalRecord(JSON.parse(text), text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[field] === DEFERRED_VALUE ? (value as Record<string, unknown>) : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 bytes (BOM allowed) and parses JSON, with line and column on syntax errors. */
export function decodeJson(bytes: Uint8Array, shownAs: string): ReadResult {
  const fail = (problem: string): ReadResult => ({ ok: false, error: new ArticleError(shownAs, undefined, problem) });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(`is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  }
  if (text.trim() === '') return fail('is empty');
  if (exceedsJsonDepth(bytes)) return fail(`nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the limit`);
  try {
    return { ok: true, value: canonicalRecord(JSON.parse(text), text), text };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    if (position === undefined) return fail(`is not valid JSON (${message})`);
    const { line, column } = lineAndColumn(text, Number(position));
    return fail(`is not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** Byte offset of the first byte that is not UTF-8: the first U+FFFD of a lossy decode that is not a real U+FFFD. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const lossy = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let from = 0;
  let offset = 0;
  for (let at = lossy.indexOf('\uFFFD'); at !== -1; at = lossy.indexOf('\uFFFD', at + 1)) {
    offset += Buffer.byteLength(lossy.slice(from, at));
    from = at;
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
  }
  return bytes.length;
}
