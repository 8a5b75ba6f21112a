import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { ArticleError } from './errors.js';

/** Article files larger than this are refused without being read. */
export const MAX_RECORD_BYTES = 5 * 1024 * 1024;

export type ReadResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ArticleError };

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
 * reports JSON syntax errors with line and column. Never throws.
 */
export function readJsonFile(root: string, path: string, shownAs: string, maxBytes = MAX_RECORD_BYTES): ReadResult {
  const fail = (problem: string): ReadResult => ({ ok: false, error: new ArticleError(shownAs, undefined, problem) });
  let fd: number | undefined;
  try {
    const link = lstatSync(path);
    let target: string;
    try {
      target = realpathSync(path);
    } catch (error) {
      if (link.isSymbolicLink() && (error as NodeJS.ErrnoException).code === 'ENOENT') return fail('is a link to a file that does not exist');
      throw error;
    }
    // Checked for every file, not only links: a linked folder on the way (articles/ -> /etc) leads outside too.
    const inside = relative(realpathSync(root), target);
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
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return decodeJson(buffer.subarray(0, read), shownAs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('disappeared while it was being read');
    if (code === 'EACCES' || code === 'EPERM') return fail('cannot be read (permission denied)');
    if (code === 'EISDIR') return fail('is a directory, not an article file');
    if (code === 'ELOOP') return fail('is a link that loops');
    return fail(`cannot be read (${code ?? 'unknown error'})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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
  try {
    return { ok: true, value: JSON.parse(text) };
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
