import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Client } from './pool.js';

/** A column value as COPY's text format takes it: null is \N, objects go as JSON (for jsonb columns). */
type CopyValue = string | number | boolean | null | undefined | object;

/**
 * One value in COPY text format: backslash, tab, newline and carriage
 * return escaped (they separate values and rows), null as \N.
 */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Most values (ids, slugs, dates, JSON with its own escapes) hold none of the four: skip the replace.
  if (!/[\\\t\n\r]/.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Lines per chunk pushed to the socket: ~1 MB of article JSON, not one write per row. */
const LINES_PER_CHUNK = 200;

/**
 * Streams rows into `table` with COPY … FROM STDIN in the caller's
 * transaction: one statement, no parameters to bind and no JSON array to
 * parse on the server (a jsonb_to_recordset batch is parsed twice: the
 * array, then each value), so the server's share of a bulk load is the
 * rows and their indexes. `columns` name the fields of each row, in order.
 */
export async function copyRows<Row>(client: Client, table: string, columns: readonly (keyof Row & string)[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  function* lines(): Generator<string> {
    for (let start = 0; start < rows.length; start += LINES_PER_CHUNK) {
      let chunk = '';
      for (const row of rows.slice(start, start + LINES_PER_CHUNK)) chunk += `${columns.map((column) => copyField(row[column] as CopyValue)).join('\t')}\n`;
      yield chunk;
    }
  }
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(lines()), stream);
}
