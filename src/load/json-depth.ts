/**
 * Deepest nesting of arrays and objects a record may have. A real record
 * nests three levels (record → credits → credit); 64 leaves room for any
 * extension field while keeping JSON.stringify and every recursive walk far
 * from the stack limit (a 100,000-level field overflowed it: a 500).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * True when JSON text (UTF-8 bytes) opens more than `max` arrays or objects
 * inside one another. Counted on the bytes, before parsing, so nothing
 * recursive ever sees a hostile record; brackets inside strings are skipped.
 * The bytes from `skipFrom` up to `skipTo` (exclusive) are not scanned: a
 * caller that already knows them to be one string passes its extent.
 */
export function exceedsJsonDepth(bytes: Uint8Array, max = MAX_JSON_DEPTH, skipFrom = -1, skipTo = -1): boolean {
  // Nesting deeper than `max` needs more than `max` opening brackets in all. Counting them is a native
  // search (a record has about a dozen); the byte-by-byte walk below took 8 µs a 7 KB record, and 0.4 µs
  // is left. Brackets inside strings are counted too, so a record with many only takes the walk.
  if (!opensMoreThan(bytes, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    if (i === skipFrom) {
      i = skipTo - 1;
      continue;
    }
    const byte = bytes[i] as number;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth += 1;
      if (depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth -= 1;
  }
  return false;
}

/** True when `bytes` hold more than `max` bytes that open an object or an array, strings included. */
function opensMoreThan(bytes: Uint8Array, max: number): boolean {
  let opens = 0;
  for (const open of [OPEN_OBJECT, OPEN_ARRAY]) {
    for (let at = bytes.indexOf(open); at !== -1; at = bytes.indexOf(open, at + 1)) if (++opens > max) return true;
  }
  return false;
}
