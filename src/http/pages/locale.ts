import { DateTime } from 'luxon';

/** Languages written right to left (primary subtags), when the tag names no script. */
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ji', 'ks', 'ku-arab', 'mzn', 'nqo', 'pnb', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);
/** Scripts written right to left (ISO 15924), which decide when the tag names one: "ug-Latn" is left to right. */
const RTL_SCRIPTS = new Set(['adlm', 'arab', 'hebr', 'mand', 'nkoo', 'rohg', 'samr', 'syrc', 'thaa', 'yezi']);

/** Text direction of a BCP 47 language tag: "rtl" for Uyghur, Arabic, Persian, Urdu, Hebrew …, else "ltr". */
export function textDirection(language: string): 'rtl' | 'ltr' {
  const parts = language.toLowerCase().split(/[-_]/);
  const script = parts.slice(1).find((p) => /^[a-z]{4}$/.test(p));
  if (script !== undefined) return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
  return RTL_LANGUAGES.has(parts[0] ?? '') ? 'rtl' : 'ltr';
}

/** A date as a reader of the article's language would write it, and the same instant for a <time datetime>. */
export interface ReaderDate {
  /** ISO 8601 with the offset of the zone shown, e.g. 2019-10-29T05:00:00.000+09:00. */
  readonly iso: string;
  /** e.g. "29 October 2019 at 05:00 GMT+9", "2019年11月12日 GMT+8 08:30". */
  readonly text: string;
}

/**
 * Formats an instant in the article's language and time zone (UTC when the
 * record names none), server-side with Intl via luxon, so pages read the
 * same without JavaScript. An unknown locale falls back to Intl's default.
 */
export function formatReaderDate(date: Date, language: string, timezone: string | undefined, style: 'date-time' | 'date' = 'date-time'): ReaderDate {
  let time = DateTime.fromJSDate(date, { zone: timezone ?? 'UTC' });
  if (!time.isValid) time = DateTime.fromJSDate(date, { zone: 'UTC' });
  let locale = language;
  try {
    Intl.DateTimeFormat.supportedLocalesOf([language]);
  } catch {
    locale = 'en';
  }
  const iso = time.toISO() ?? date.toISOString();
  if (style === 'date') return { iso, text: time.setLocale(locale).toLocaleString({ dateStyle: 'medium' } as Intl.DateTimeFormatOptions) };
  const text = time.setLocale(locale).toLocaleString({ dateStyle: 'long', timeStyle: 'short' } as Intl.DateTimeFormatOptions);
  const zone = time.setLocale(locale).toFormat('ZZZZ');
  return { iso, text: `${text} ${zone}` };
}

/**
 * A language's name in that language ("한국어", "English", "中文（简体）"), from
 * Intl; the tag itself when Intl does not know it. Readers look for their
 * own language written their own way, not in the page's.
 */
export function languageName(language: string): string {
  try {
    const name = new Intl.DisplayNames([language], { type: 'language' }).of(language);
    return name === undefined || name === '' ? language : name;
  } catch {
    return language;
  }
}
