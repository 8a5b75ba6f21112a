import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_HEADER, COPY_TRAILER } from './copy-binary.js';
import type { Client } from './pool.js';

/**
 * Streams rows in COPY's binary format (copy-binary.ts; `columns` in order)
 * into `table` with COPY … FROM STDIN in the caller's transaction: one
 * statement, no parameters to bind and no JSON array to parse on the server
 * (a jsonb_to_recordset batch is parsed twice: the array, then each value),
 * so the server's share of a bulk load is the rows and their indexes. The
 * rows come as byte ranges (sync's reading threads encode them; the writing
 * thread only moves bytes); ranges that follow each other in one buffer go
 * to the socket as one piece.
 */
export async function copyRows(client: Client, table: string, columns: readonly string[], rows: readonly Uint8Array[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from([COPY_HEADER, ...joined(rows), COPY_TRAILER]), stream);
}

/** Adjacent ranges of one buffer merged (a chunk's rows, all taken, are one piece); empty ones dropped. */
function joined(rows: readonly Uint8Array[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (const row of rows) {
    if (row.length === 0) continue;
    const last = pieces.at(-1);
    if (last !== undefined && last.buffer === row.buffer && last.byteOffset + last.length === row.byteOffset) {
      pieces[pieces.length - 1] = new Uint8Array(row.buffer, last.byteOffset, last.length + row.length);
    } else pieces.push(row);
  }
  return pieces;
}
