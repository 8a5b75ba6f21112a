import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry } from '../versions.js';

/**
 * The files backend's audit trail: one JSON line per entry in
 * DATA_DIR/history/audit.jsonl, appended in time order. A page is read by
 * a binary search on the lines' times and then forward from there, so
 * GET /api/audit costs the page, not the file (the last page of a
 * 1,000,000-line, 150 MB file: 8,366 ms reading the whole file, 8 ms this
 * way, on a machine at load 19; bench/audit-pages.mjs).
 */

/**
 * Lines are appended in the order their writes finish, which can differ
 * from the order of their times by the few milliseconds between taking
 * the time and appending. The search starts this much earlier and the
 * scan filters exactly, so such a line is never skipped.
 */
const ORDER_SLACK_MS = 5_000;
/** Bytes read per step: a line is about 200 bytes, the longest (a 2,048-character id) about 2,500. */
const CHUNK = 16 * 1024;

/** Appends one entry and fsyncs it before the write is answered: a line lost in a power cut is a write nobody can account for. */
export async function appendAuditLine(path: string, entry: AuditEntry): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // O_APPEND keeps concurrent lines whole.
  const handle = await open(path, 'a', 0o640);
  try {
    await handle.appendFile(`${JSON.stringify({ ...entry, at: entry.at.toISOString() })}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

type StoredEntry = Omit<AuditEntry, 'at'> & { at: string };

function entryOf(line: string): AuditEntry {
  const stored = JSON.parse(line) as StoredEntry;
  return { ...stored, at: new Date(stored.at) };
}

/** The time of the first whole line starting after byte `offset`; undefined past the last complete line. One read when the line fits in CHUNK. */
async function timeAfter(handle: FileHandle, size: number, offset: number): Promise<number | undefined> {
  const buffer = Buffer.alloc(CHUNK);
  let data = Buffer.alloc(0);
  for (let at = offset; at < size; at += CHUNK) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - at), at);
    data = Buffer.concat([data, buffer.subarray(0, bytesRead)]);
    const start = data.indexOf(10);
    const end = start < 0 ? -1 : data.indexOf(10, start + 1);
    // A line still being appended (no newline yet) is not there yet.
    if (end >= 0) return entryOf(data.toString('utf8', start + 1, end)).at.getTime();
  }
  return undefined;
}

/**
 * A line start at or before that of the first line whose time is after
 * `target`: a binary search on byte offsets, one short read a step, that
 * stops once the span fits in one read (the scan then skips the rest).
 */
async function startNear(handle: FileHandle, size: number, target: number): Promise<number> {
  let low = 0;
  let high = size;
  while (high - low > CHUNK) {
    const middle = Math.floor((low + high) / 2);
    const time = await timeAfter(handle, size, middle);
    if (time === undefined || time > target) high = middle;
    else low = middle + 1;
  }
  if (low === 0) return 0;
  // The first line starting after low - 1: low is a line's start or inside one whose time is at most target.
  const buffer = Buffer.alloc(CHUNK);
  for (let at = low - 1; at < size; at += CHUNK) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - at), at);
    const newline = buffer.subarray(0, bytesRead).indexOf(10);
    if (newline >= 0) return at + newline + 1;
  }
  return size;
}

/** Entries after `since`, oldest first, at most `limit`; none when the file does not exist yet. */
export async function readAuditSince(path: string, since: Date, limit: number): Promise<AuditEntry[]> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    // The size when the read starts: a line being appended meanwhile is left for the next page.
    const { size } = await handle.stat();
    const entries: AuditEntry[] = [];
    let offset = await startNear(handle, size, since.getTime() - ORDER_SLACK_MS);
    let carry = Buffer.alloc(0);
    while (entries.length < limit && offset < size) {
      const chunk = Buffer.alloc(Math.min(4 * CHUNK, size - offset));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let from = 0;
      for (let newline = data.indexOf(10); newline >= 0 && entries.length < limit; newline = data.indexOf(10, from)) {
        const text = data.toString('utf8', from, newline);
        from = newline + 1;
        if (text.trim() === '') continue;
        const entry = entryOf(text);
        if (entry.at.getTime() > since.getTime()) entries.push(entry);
      }
      // The rest of a line the next chunk finishes (or one still being appended, which the next page reads).
      carry = data.subarray(from);
    }
    return entries;
  } finally {
    await handle.close();
  }
}
