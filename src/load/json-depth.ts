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
