import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { hasImpossibleOffset, parseRecordDate } from '../../src/load/dates.js';

/** The reading before the quick path: luxon alone, with the same year limits. */
function viaLuxon(text: string): number | undefined {
  const parsed = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
  if (!parsed.isValid || parsed.year < 1000 || parsed.year > 9999) return undefined;
  return parsed.toJSDate().getTime();
}

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

describe('record dates with an offset (quick path)', () => {
  it('reads every offset date-time exactly as luxon does, invalid ones included (and refuses offsets beyond ±14:00, which luxon takes)', () => {
    const text = fc
      .tuple(fc.integer({ min: 900, max: 9999 }), two(13), two(32), two(25), two(61), fc.option(two(61), { nil: undefined }), fc.constantFrom('T', ' '), fc.constantFrom('Z', '+00:00', '-04:00', '+09:00', '+05:45', '+23:59', '+24:00', '-12:30', '+1:00'))
      .map(([y, mo, d, h, mi, s, sep, off]) => `${String(y).padStart(4, '0')}-${mo}-${d}${sep}${h}:${mi}${s === undefined ? '' : `:${s}`}${off}`);
    fc.assert(
      fc.property(text, (value) => {
        const ours = parseRecordDate(value, undefined);
        const reference = hasImpossibleOffset(value) ? undefined : viaLuxon(value);
        expect(ours.ok ? ours.date.getTime() : undefined).toBe(reference);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['2019-10-28T16:00:00-04:00', '2019-10-28T20:00:00.000Z'],
    ['2024-02-29T23:59:59+09:00', '2024-02-29T14:59:59.000Z'],
    ['2019-10-28 16:00Z', '2019-10-28T16:00:00.000Z'],
  ])('reads %s', (value, instant) => {
    const result = parseRecordDate(value, undefined);
    expect(result.ok && result.date.toISOString()).toBe(instant);
  });

  it.each(['2019-02-29T10:00:00+00:00', '2019-02-30T10:00:00Z', '2019-10-28T23:59:60Z', '0999-01-01T00:00:00Z'])('refuses %s with a reason', (value) => {
    const result = parseRecordDate(value, undefined);
    expect(result.ok).toBe(false);
  });
});
