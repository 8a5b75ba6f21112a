import { DateTime, IANAZone } from 'luxon';

/** The outcome of reading one date field: an instant, or a sentence saying what is wrong. */
export type DateResult = { readonly ok: true; readonly date: Date } | { readonly ok: false; readonly problem: string };

const HAS_OFFSET = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;
const HAS_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const LOCAL_PARTS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

/**
 * Zone names already checked. luxon's isValidZone builds an Intl.DateTimeFormat
 * on every call (~0.1 ms), which made it the largest single cost of loading
 * 100,000 records; a newsroom uses a handful of zones, so remember the answer.
 * One per load or store (see load-memo.ts), never module state.
 */
export class ZoneNames {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly limit = 1000) {}

  /** Whether `zone` is an IANA time zone name. */
  isKnown(zone: string): boolean {
    let known = this.known.get(zone);
    if (known === undefined) {
      known = IANAZone.isValidZone(zone);
      if (this.known.size < this.limit) this.known.set(zone, known);
    }
    return known;
  }

  /** Names remembered (at most the limit). */
  get size(): number {
    return this.known.size;
  }
}

/**
 * Reads a record date: ISO 8601 with an offset; or an ISO 8601 local
 * date-time plus an IANA `timezone`; or RFC 2822 (which always has a zone).
 * A local time without a zone, an unknown zone, an impossible date, or a
 * local time that the zone skips (a DST gap) is an error, never a guess. In a
 * DST overlap the earlier instant is taken. `zones`: the load's memo of
 * zone names; without it the zone is checked afresh (~0.1 ms).
 */
export function parseRecordDate(value: string, timezone: string | undefined, zones?: ZoneNames): DateResult {
  const text = value.trim();
  const expected = 'must be an ISO 8601 date-time with an offset (or a local date-time with "timezone"), or an RFC 2822 date';
  if (text === '') return fail(`${expected}, got ""`);
  if (hasImpossibleOffset(text)) return fail(`must have a UTC offset between -14:00 and +14:00, got ${JSON.stringify(value)}`);
  const quick = quickOffsetDate(text);
  if (quick !== undefined) return { ok: true, date: quick };
  let parsed: DateTime;
  if (/^\d{4}-/.test(text)) {
    if (!HAS_TIME.test(text)) return fail(`${expected}; a date without a time is ambiguous, got ${JSON.stringify(value)}`);
    if (HAS_OFFSET.test(text)) {
      parsed = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
    } else {
      if (timezone === undefined) return fail(`${expected}; ${JSON.stringify(value)} has no offset and the record has no "timezone"`);
      if (!(zones ?? new ZoneNames()).isKnown(timezone)) return fail(`cannot be read in unknown time zone ${JSON.stringify(timezone)}`);
      parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone: timezone });
      if (parsed.isValid && !sameWallClock(text, parsed)) {
        return fail(`${JSON.stringify(value)} does not exist in ${timezone} (the clocks skip it)`);
      }
      parsed = earliestWithSameWallClock(text, parsed);
    }
  } else {
    parsed = DateTime.fromRFC2822(text, { setZone: true });
  }
  if (!parsed.isValid) {
    const why = parsed.invalidExplanation ?? parsed.invalidReason ?? 'not a date';
    return fail(`${expected}, got ${JSON.stringify(value)} (${why})`);
  }
  if (parsed.year < MIN_YEAR || parsed.year > MAX_YEAR) return fail(`must be between the years ${MIN_YEAR} and ${MAX_YEAR}, got ${JSON.stringify(value)}`);
  return { ok: true, date: parsed.toJSDate() };
}

/** `2019-10-28T16:00:00-04:00`, `2019-10-28 16:00Z`: the spelling nearly every record uses. */
const PLAIN_OFFSET_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * The common, unambiguous case without luxon: a complete ISO date-time with
 * seconds at most and an explicit offset, every part in range. luxon takes
 * ~10 µs a date, which was a fifth of loading 100,000 records; this takes
 * well under one. Anything else (fractions, local times, RFC 2822, anything
 * out of range or odd) returns undefined and luxon decides, so results and
 * messages are unchanged.
 */
function quickOffsetDate(text: string): Date | undefined {
  const m = PLAIN_OFFSET_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offsetHours = m[7] === 'Z' ? 0 : Number(m[9]);
  const offsetMinutes = m[7] === 'Z' ? 0 : Number(m[10]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(utc - offset * 60_000);
}

function sameWallClock(text: string, parsed: DateTime): boolean {
  const m = LOCAL_PARTS.exec(text);
  if (!m) return true;
  const [, y, mo, d, h, mi] = m;
  return parsed.year === Number(y) && parsed.month === Number(mo) && parsed.day === Number(d) && parsed.hour === Number(h) && parsed.minute === Number(mi);
}

/** In a DST overlap a wall-clock time happens twice; luxon takes the later one, newsrooms mean the first. */
function earliestWithSameWallClock(text: string, parsed: DateTime): DateTime {
  for (const minutes of [60, 30]) {
    // The instant `minutes` earlier shows the same wall clock only if the zone's offset then was `minutes`
    // more (within a minute: historical offsets have seconds). One offset look-up (an Intl call, ~6 µs)
    // rules that out for nearly every time, where building the earlier DateTime cost two; a local time
    // cost 8 look-ups, 66 µs, and local times are a tenth of a newsroom's dates.
    if (Math.abs(parsed.zone.offset(parsed.toMillis() - minutes * 60_000) - parsed.offset - minutes) >= 1) continue;
    const earlier = parsed.minus({ minutes });
    if (earlier.isValid && sameWallClock(text, earlier) && earlier.second === parsed.second) return earlier;
  }
  return parsed;
}

/** UTC offsets in use run from -12:00 to +14:00 (Kiribati); ISO 8601 and RFC 2822 allow spellings far beyond, such as +99:00. */
const MAX_OFFSET_MINUTES = 14 * 60;
const ISO_OFFSET = /[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?([+-])(\d{2})(?::?(\d{2}))?$/i;
const RFC2822_OFFSET = /\s([+-])(\d{2})(\d{2})$/;

/** True when a date-time's written UTC offset lies beyond ±14:00; dates and other spellings are not judged here. */
export function hasImpossibleOffset(text: string): boolean {
  const m = ISO_OFFSET.exec(text.trim()) ?? RFC2822_OFFSET.exec(text.trim());
  return m !== null && Number(m[2]) * 60 + Number(m[3] ?? 0) > MAX_OFFSET_MINUTES;
}

function fail(problem: string): DateResult {
  return { ok: false, problem };
}
