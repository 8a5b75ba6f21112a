import { describe, expect, it } from 'vitest';
import { parseRecordDate } from '../../src/load/dates.js';

const instant = (value: string, zone?: string) => {
  const result = parseRecordDate(value, zone);
  if (!result.ok) throw new Error(result.problem);
  return result.date.toISOString();
};
const problem = (value: string, zone?: string) => {
  const result = parseRecordDate(value, zone);
  return result.ok ? undefined : result.problem;
};

describe('parseRecordDate', () => {
  it('reads ISO 8601 with offsets east and west of UTC, including +05:45', () => {
    expect(instant('2019-10-28T16:00:00-04:00')).toBe('2019-10-28T20:00:00.000Z');
    expect(instant('2019-10-29T05:00:00+09:00')).toBe('2019-10-28T20:00:00.000Z');
    expect(instant('2020-01-12T18:30:00+05:45')).toBe('2020-01-12T12:45:00.000Z');
    expect(instant('2020-01-12T18:30:00.250Z')).toBe('2020-01-12T18:30:00.250Z');
    expect(instant('2020-01-12 18:30:00+0000')).toBe('2020-01-12T18:30:00.000Z');
  });

  it('refuses UTC offsets beyond ±14:00 in every spelling, and accepts +14:00 and -12:00', () => {
    for (const value of ['2024-01-01T00:00:00+99:00', '2024-01-01T00:00:00+14:01', '2024-01-01T00:00:00-1430', '2024-01-01 00:00+23', 'Mon, 01 Jan 2024 00:00:00 +2300']) {
      expect(problem(value), value).toBe(`must have a UTC offset between -14:00 and +14:00, got ${JSON.stringify(value)}`);
    }
    expect(instant('2024-01-01T00:00:00+14:00')).toBe('2023-12-31T10:00:00.000Z');
    expect(instant('2024-01-01T00:00:00-12:00')).toBe('2024-01-01T12:00:00.000Z');
    expect(instant('Mon, 01 Jan 2024 00:00:00 +1400')).toBe('2023-12-31T10:00:00.000Z');
  });

  it('reads a local time in the record time zone (Seoul, Kathmandu)', () => {
    expect(instant('2019-11-09T19:00:00', 'Asia/Seoul')).toBe('2019-11-09T10:00:00.000Z');
    expect(instant('2020-01-12T18:30:00', 'Asia/Kathmandu')).toBe('2020-01-12T12:45:00.000Z');
  });

  it('gets the offset right on both sides of a New York DST switch', () => {
    expect(instant('2020-03-08T01:30:00', 'America/New_York')).toBe('2020-03-08T06:30:00.000Z');
    expect(instant('2020-03-08T03:30:00', 'America/New_York')).toBe('2020-03-08T07:30:00.000Z');
    expect(instant('2020-11-01T00:30:00', 'America/New_York')).toBe('2020-11-01T04:30:00.000Z');
    // 01:30 happens twice when the clocks go back: the earlier instant (EDT) is taken.
    expect(instant('2020-11-01T01:30:00', 'America/New_York')).toBe('2020-11-01T05:30:00.000Z');
    expect(instant('2020-11-01T02:30:00', 'America/New_York')).toBe('2020-11-01T07:30:00.000Z');
  });

  it('takes the earlier instant when Lord Howe Island turns its clocks back half an hour', () => {
    // 02:00 (+11:00) becomes 01:30 (+10:30): 01:45 happens at 14:45Z and again at 15:15Z.
    expect(instant('2020-04-05T01:45:00', 'Australia/Lord_Howe')).toBe('2020-04-04T14:45:00.000Z');
    expect(instant('2020-04-05T01:15:00', 'Australia/Lord_Howe')).toBe('2020-04-04T14:15:00.000Z');
    expect(instant('2020-04-05T02:15:00', 'Australia/Lord_Howe')).toBe('2020-04-04T15:45:00.000Z');
  });

  it('refuses a local time the clocks skip', () => {
    expect(problem('2020-03-08T02:30:00', 'America/New_York')).toBe('"2020-03-08T02:30:00" does not exist in America/New_York (the clocks skip it)');
  });

  it('reads RFC 2822 dates', () => {
    expect(instant('Mon, 28 Oct 2019 16:00:00 -0400')).toBe('2019-10-28T20:00:00.000Z');
    expect(instant('Mon, 01 Jun 2020 05:10:00 +0900')).toBe('2020-05-31T20:10:00.000Z');
    expect(instant('28 Oct 2019 20:00:00 GMT')).toBe('2019-10-28T20:00:00.000Z');
  });

  it('refuses guesses: no zone, unknown zone, date only, impossible dates, leap seconds, out-of-range years', () => {
    expect(problem('2019-10-28T16:00:00')).toMatch(/has no offset and the record has no "timezone"/);
    expect(problem('2019-10-28T16:00:00', 'Nowhere/City')).toBe('cannot be read in unknown time zone "Nowhere/City"');
    expect(problem('2019-10-28', 'Asia/Seoul')).toMatch(/a date without a time is ambiguous/);
    expect(problem('2019-02-30T10:00:00Z')).toMatch(/you specified 30 \(of type number\) as a day/);
    expect(problem('2016-12-31T23:59:60Z')).toMatch(/as a second/);
    expect(problem('0999-01-01T00:00:00Z')).toMatch(/between the years 1000 and 9999/);
    expect(problem('soon')).toMatch(/got "soon"/);
    expect(problem('')).toMatch(/got ""$/);
  });

  it('reads the far past and future that newsrooms use', () => {
    expect(instant('1900-01-01T00:00:00Z')).toBe('1900-01-01T00:00:00.000Z');
    expect(instant('2099-12-31T23:59:59+14:00')).toBe('2099-12-31T09:59:59.000Z');
  });
});
