import { stripInvalidXmlChars } from './text.js';

/**
 * Anything in a record's JSON text that may decode to a character
 * stripInvalidXmlChars removes: an escape (`\u0000`, `\ud800`, or any other:
 * a cheap over-match), or one of those characters (or a surrogate pair,
 * also an over-match) written as it is. Nearly every record has neither, so
 * one scan of the text spares the walk over its strings.
 */
const MAY_NEED_CLEANING = /\\u|[\u007F-\u009F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFD\uFFFE\uFFFF]/;

/**
 * The canonical form of a decoded record, the one thing both backends store
 * and hash: every string in it, field names and unknown (ignored) fields
 * included, with the characters XML 1.0 cannot carry removed exactly as the
 * loader removes them from the fields it reads (text.ts: U+0000 and the other
 * controls, lone surrogates, noncharacters, U+FFFD). Before it, PostgreSQL
 * refused a record with U+0000 or a lone surrogate anywhere (text and jsonb
 * cannot hold them) that the files backend served: a newsroom moving its
 * archive lost those stories. Two field names equal once cleaned keep the
 * later value, as JSON.parse keeps the later of two equal names.
 *
 * `text` is the JSON text the value was parsed from, when known: clean text
 * returns `value` itself, unwalked.
 */
export function canonicalRecord(value: unknown, text?: string): unknown {
  if (text !== undefined && !MAY_NEED_CLEANING.test(text)) return value;
  return clean(value);
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return stripInvalidXmlChars(value);
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[stripInvalidXmlChars(key)] = clean(item);
  return out;
}
