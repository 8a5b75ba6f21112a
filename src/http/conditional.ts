/**
 * Conditional GET (RFC 9110 §13): whether a GET or HEAD can be answered
 * 304 Not Modified, from If-None-Match (which takes precedence) or else
 * If-Modified-Since.
 */

/** What the server holds for the selected representation. */
export interface Validators {
  /** A strong entity tag, quotes included: `"abc"`. */
  readonly etag: string;
  /** Last-Modified in whole seconds since the epoch (HTTP dates carry no finer precision); absent: If-Modified-Since never matches. */
  readonly lastModifiedSeconds?: number;
}

export interface ConditionalHeaders {
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
}

/** True when the request's preconditions say the client's copy is current: answer 304. */
export function isNotModified(headers: ConditionalHeaders, validators: Validators): boolean {
  if (headers.ifNoneMatch !== undefined) return noneMatchFails(headers.ifNoneMatch, validators.etag);
  if (headers.ifModifiedSince === undefined || validators.lastModifiedSeconds === undefined) return false;
  const since = parseHttpDate(headers.ifModifiedSince);
  // An invalid date is ignored (RFC 9110 §13.1.3): the full response is sent.
  if (since === undefined) return false;
  return validators.lastModifiedSeconds <= Math.floor(since / 1000);
}

/**
 * If-None-Match evaluates to false (so: 304) when the field is `*` or one
 * of its entity tags matches ours by weak comparison: the opaque tags are
 * equal, either one may carry W/. Tags may contain commas, so the list is
 * scanned tag by tag rather than split.
 */
export function noneMatchFails(field: string, etag: string): boolean {
  if (field.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  // A global regex keeps its position (lastIndex) between calls: one per call, not one per module.
  const entityTag = /(?:W\/)?("[^"]*")/g;
  for (let match = entityTag.exec(field); match !== null; match = entityTag.exec(field)) {
    if (match[1] === opaque) return true;
  }
  return false;
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/**
 * An HTTP-date (RFC 9110 §5.6.7) in any of its three forms, as epoch
 * milliseconds; undefined for anything else, including dates JavaScript
 * would parse but HTTP does not allow ("2024-05-01", "yesterday").
 */
export function parseHttpDate(text: string): number | undefined {
  const value = text.trim();
  let ms: number;
  if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) ms = Date.parse(value);
  else if (ASCTIME_DATE.test(value)) ms = Date.parse(`${value} GMT`);
  else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}
