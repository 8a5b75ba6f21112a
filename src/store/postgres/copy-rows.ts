import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Client } from './pool.js';

/**
 * Streams COPY text lines (copy-text.ts; `columns` in order) into `table`
 * with COPY … FROM STDIN in the caller's transaction: one statement, no
 * parameters to bind and no JSON array to parse on the server (a
 * jsonb_to_recordset batch is parsed twice: the array, then each value), so
 * the server's share of a bulk load is the rows and their indexes. Lines may
 * come as text or as UTF-8 bytes (sync's reading threads encode them, and
 * the writing thread only moves bytes); an entry may hold several lines.
 */
export async function copyLines(client: Client, table: string, columns: readonly string[], lines: readonly (string | Uint8Array)[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(pieces(lines)), stream);
}

/** Text lines per piece pushed to the socket: about 1 MB of article JSON at a time, not one write per row. */
const LINES_PER_PIECE = 64;

/** Lines grouped into pieces for the stream: text joined, bytes passed as they are, nothing empty. */
function* pieces(lines: readonly (string | Uint8Array)[]): Generator<string | Uint8Array> {
  let text = '';
  let count = 0;
  for (const line of lines) {
    if (typeof line === 'string') {
      text += line;
      count += 1;
      if (count < LINES_PER_PIECE || text === '') continue;
    } else if (line.length === 0) continue;
    if (text !== '') yield text;
    if (typeof line !== 'string') yield line;
    text = '';
    count = 0;
  }
  if (text !== '') yield text;
}
