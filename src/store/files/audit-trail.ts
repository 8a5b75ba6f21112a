import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry } from '../versions.js';

/**
 * The files backend's audit trail: one JSON line per entry in
 * DATA_DIR/history/audit.jsonl, appended in time order. A page is read by
 * a binary search on the lines' times and then forward from there, so
 * GET /api/audit costs the page, not the file (the last page of a
 * 1,000,000-line file: 2,161 ms reading the whole file, 2 ms this way;
 * bench/audit-pages.mjs).
 */

/**
 * Lines are appended in the order their writes finish, which can differ
 * from the order of their times by the few milliseconds between taking
 * the time and appending. The search starts this much earlier and the
 * scan filters exactly, so such a line is never skipped.
 */
const ORDER_SLACK_MS = 5_000;
/** Bytes read per step: a line is about 200 bytes; the longest (a 2,048-character id) fits in two steps. */
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

/** Reads the file in CHUNK steps from an offset, one whole line at a time. */
class LineReader {
  private readonly buffer = Buffer.alloc(CHUNK);

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  /** The first whole line starting at or after `offset` (0, or just after a newline); undefined past the last complete line. */
  async lineFrom(offset: number): Promise<{ text: string; start: number } | undefined> {
    let start = offset;
    if (offset > 0) {
      const newline = await this.find(offset - 1);
      if (newline === undefined) return undefined;
      start = newline + 1;
    }
    // A line still being appended (no newline yet) is not there yet.
    const end = start < this.size ? await this.find(start) : undefined;
    if (end === undefined) return undefined;
    const bytes = Buffer.alloc(end - start);
    await this.handle.read(bytes, 0, bytes.length, start);
    return { text: bytes.toString('utf8'), start };
  }

  /** The position of the first newline at or after `from`. */
  private async find(from: number): Promise<number | undefined> {
    for (let at = from; at < this.size; at += CHUNK) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, Math.min(CHUNK, this.size - at), at);
      const index = this.buffer.subarray(0, bytesRead).indexOf(10);
      if (index >= 0) return at + index;
    }
    return undefined;
  }
}

/** Where the first line whose time is after `target` starts (the file's size when there is none): O(log size) short reads. */
async function firstAfter(reader: LineReader, size: number, target: number): Promise<number> {
  let low = 0;
  let high = size;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    const line = await reader.lineFrom(middle);
    if (line === undefined || entryOf(line.text).at.getTime() > target) high = middle;
    else low = middle + 1;
  }
  return (await reader.lineFrom(low))?.start ?? size;
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
    const reader = new LineReader(handle, size);
    const entries: AuditEntry[] = [];
    let offset = await firstAfter(reader, size, since.getTime() - ORDER_SLACK_MS);
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
