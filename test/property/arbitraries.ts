import fc from 'fast-check';
import { slugify } from '../../src/model/slug.js';
import { expectLine, expectStripped } from './normalise.js';

/**
 * Generators of hostile article records. Each generated record comes with
 * what the generator knows about it: the fields that MUST be reported as
 * errors (deliberately broken), and whether some field MAY be rejected (a
 * value whose validity the generator does not decide, such as a random
 * date string). A record with neither must be accepted.
 */
export interface GeneratedRecord {
  readonly record: Record<string, unknown>;
  /** Error fields (or field prefixes such as "credits[1]") that must appear. */
  readonly mustFail: readonly string[];
  readonly mayFail: boolean;
  /** Instants of the dates, when the generator knows them (dates with an offset). */
  readonly instants: { readonly published?: number; readonly updated?: number };
}

/** Pieces of text that have broken XML, HTML or JSON writers before. */
const NASTY_PIECES = [
  '<', '>', '&', '"', "'", ']]>', '<![CDATA[', ']]]]><![CDATA[>', '&amp;', '&lt;', '&#38;', '&#x26;', '&nbsp;', '&bogus;', '<b>', '</title>',
  '<!--', '-->', '<?xml version="1.0"?>', '\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F', '\u0080', '\u0085', '\u009F',
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFE', '\uFFFF', '\uFEFF', '\u202E', '\u202D', '\u200F', '\u200D', '\u2028', '\u2029', '\u00A0',
  '\u0301', '\u0308\u0308\u0308', 'e\u0301', '\uD83D\uDE00', '\uD835\uDD4F', '\uD83C\uDDF0\uD83C\uDDF7', '한국어', 'ئۇيغۇرچە', 'བོད་', 'မြန်မာ', '中文',
  '\t', '\n', '\r', '\r\n', '  ', '$', '\\', '{"a":1}', '%2F', '%00', '\u{10FFFF}', '\uFFFD', '\uFDD0',
];

const nastyPiece = fc.constantFrom(...NASTY_PIECES);
/** Any UTF-16 code unit, lone surrogates included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));
const letters = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC XYZ0123456789'.split('')), minLength: 1, maxLength: 12 });

/** Text mixing ordinary letters, every hostile piece, any code unit and any code point. */
export function hostileText(maxPieces = 12): fc.Arbitrary<string> {
  return fc.array(fc.oneof({ weight: 4, arbitrary: letters }, { weight: 4, arbitrary: nastyPiece }, { weight: 1, arbitrary: anyUnit }, { weight: 1, arbitrary: anyCodePoint }), { maxLength: maxPieces }).map((p) => p.join(''));
}

/** Text that certainly keeps a letter after normalisation. */
function hostileName(maxPieces = 8): fc.Arbitrary<string> {
  return fc.tuple(hostileText(maxPieces), fc.constantFrom('A', 'Ji-woo', 'Müller', '박민서', 'Zoë'), hostileText(maxPieces)).map(([a, b, c]) => `${a}${b}${c}`);
}

const HOSTILE_HTML = [
  '<script>alert(1)</script>', '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>', '<img src=x onerror=alert(1)>', '<img src="javascript:alert(1)">',
  '<a href="javascript:alert(1)">j</a>', '<a href=" JaVaScRiPt:alert(1)">j</a>', '<a href="java&#x09;script:alert(1)">j</a>', '<a href="&#106;avascript:alert(1)">j</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>', '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
  '<iframe src="https://evil.example/"></iframe>', '<iframe src="https://www.youtube.com/embed/abc" onload="x()"></iframe>', '<svg onload=alert(1)><circle/></svg>',
  '<style>body{display:none}</style>', '<p style="background:url(javascript:alert(1))">s</p>', '<div onclick="alert(1)">c</div>', '<p', '<div><p>unclosed', '</p></div></body>',
  '<a href="/relative/path?a=1&b=2">rel</a>', '<img src="//evil.example/x.png">', '<img src="pic.jpg" alt="a &quot; b">', '<!-- comment ]]> -->', '<![CDATA[ x ]]>',
  '&#0;', '&#1;', '&#x1;', '&#xFFFE;', '&#xD800;', '&#13;', '&#x85;', '&#128;', '&amp;', '&lt;script&gt;', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<object data="x.swf"></object>', '<embed src="x.swf">', '<form action="https://evil.example"><input name=a></form>', '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">', '<table><tr><td colspan=2 onmouseover=x>t</td></tr></table>', '<p lang="ko" dir="rtl">x</p>',
  '<a href="mailto:desk@example.org">m</a>', '<h1>head</h1>', '<figure><img src="https://media.example.org/a.jpg"><figcaption>c</figcaption></figure>',
];

/** An article body: hostile markup and text, mostly small. */
export function hostileBody(maxPieces = 16): fc.Arbitrary<string> {
  return fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_HTML) }, { weight: 2, arbitrary: hostileText(4) }, { weight: 1, arbitrary: fc.constant('<p>Paragraph text.</p>') }), { maxLength: maxPieces }).map((p) => p.join(''));
}

/** A body of about `bytes` bytes: hostile fragments repeated. */
export function largeBody(bytes: number): fc.Arbitrary<string> {
  return hostileBody(8).map((seed) => {
    const unit = `<p>${seed}</p>\n`;
    return unit.repeat(Math.max(1, Math.ceil(bytes / Math.max(unit.length, 1))));
  });
}

/** A date field's text and whether it must be accepted, must be rejected, or either. */
export interface DateText {
  readonly text: string;
  /** The instant, when the text certainly denotes one (an offset date). */
  readonly instant?: number;
  readonly verdict: 'valid' | 'invalid' | 'unknown';
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const offsetDate = fc
  .record({
    year: fc.oneof(fc.constantFrom(1900, 1970, 2000, 2038, 2099), fc.integer({ min: 1900, max: 2099 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    offsetMinutes: fc.constantFrom(0, 60, -240, 330, 345, 540, -720, 840),
    form: fc.constantFrom('iso', 'isoZ', 'rfc2822'),
  })
  .map(({ year, month, day, hour, minute, second, offsetMinutes, form }): DateText => {
    const local = Date.UTC(year, month - 1, day, hour, minute, second);
    const instant = local - offsetMinutes * 60_000;
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    if (form === 'isoZ') return { text: `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`, instant: local, verdict: 'valid' };
    if (form === 'iso') return { text: `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`, instant, verdict: 'valid' };
    const weekday = DAYS[new Date(local).getUTCDay()]!;
    return { text: `${weekday}, ${pad(day)} ${MONTHS[month - 1]} ${year} ${pad(hour)}:${pad(minute)}:${pad(second)} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`, instant, verdict: 'valid' };
  });

/** Dates that the README says are errors: leap seconds, impossible days, no zone, no time. */
const invalidDate = fc.constantFrom(
  '2016-12-31T23:59:60Z', '2016-12-31T23:59:60+00:00', 'Sat, 31 Dec 2016 23:59:60 +0000', '2019-02-30T10:00:00Z', '2019-13-01T10:00:00Z',
  '2019-10-28', 'yesterday', '0999-01-01T00:00:00Z', '10000-01-01T00:00:00Z', '2019-10-28T24:00:01Z', '',
).map((text): DateText => ({ text, verdict: 'invalid' }));

/** Local times in a zone: valid unless the zone skips them (DST), so the generator does not decide. */
const localDate = fc
  .record({ year: fc.integer({ min: 1900, max: 2099 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }) })
  .map(({ year, month, day, hour }): DateText => ({ text: `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:30:00`, verdict: 'unknown' }));
// (A local date-time is an error without "timezone" and may fall in a DST gap with one: the generator does not decide.)

export const dateText: fc.Arbitrary<DateText> = fc.oneof({ weight: 40, arbitrary: offsetDate }, { weight: 2, arbitrary: invalidDate }, { weight: 1, arbitrary: localDate }, { weight: 1, arbitrary: hostileText(3).map((text): DateText => ({ text, verdict: 'unknown' })) });

const ZONES = ['Asia/Seoul', 'America/New_York', 'Europe/London', 'Asia/Kathmandu', 'UTC', 'Australia/Lord_Howe'];
const LANGUAGES = ['en', 'ko', 'zh-Hans', 'ug', 'bo', 'my', 'EN-gb', 'ne'];
const ROLES = ['reporter', 'writer', 'translator', 'editor', 'photographer', 'producer'];
const IMAGE_URLS = [
  'https://media.example.org/images/a.jpg', 'https://media.example.org/images/b.PNG?w=100&h=<50>', 'https://media.example.org/images/c d "e".webp',
  'https://media.example.org/%E2%80%AE/\u202Eevil.gif', 'http://media.example.org/images/no-extension', 'https://media.example.org/i/한국.avif#frag',
];

/** What one field contributes: its value (undefined = absent) and what the generator knows. */
interface Part {
  readonly value: unknown;
  readonly mustFail?: readonly string[];
  readonly mayFail?: boolean;
}
const ok = (value: unknown): Part => ({ value });
const bad = (value: unknown, field: string): Part => ({ value, mustFail: [field] });

/** Required single-line text: rejected when normalisation leaves nothing or too much. */
function lineField(field: string, text: fc.Arbitrary<string>, maxLength: number, required: boolean): fc.Arbitrary<Part> {
  return text.map((raw) => {
    const clean = expectLine(raw);
    if (clean.length > maxLength) return bad(raw, field);
    if (clean === '' && required) return bad(raw, field);
    return ok(raw);
  });
}

function optional(arb: fc.Arbitrary<Part>): fc.Arbitrary<Part> {
  return fc.option(arb, { nil: undefined, freq: 3 }).map((p) => p ?? ok(undefined));
}

const idPart = (index: number): fc.Arbitrary<Part> =>
  fc.oneof(
    { weight: 40, arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/).map((s) => ok(`${s}-${index}`)) },
    { weight: 1, arbitrary: fc.constantFrom('Has Space', 'UPPER', 'trailing-', 'a--b', '../etc/passwd', 'ü').map((s) => bad(s, 'id')) },
  );

const urlPart = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom('https://news.example.org/a.html', 'http://news.example.org/k/2019/10/x.html?a=1&b=<2>&c="3"', 'https://news.example.org/path with space/ü', 'https://news.example.org/%3Cscript%3E', 'https://news.example.org/a#]]>').map(ok) },
  { weight: 1, arbitrary: fc.constantFrom('javascript:alert(1)', 'data:text/html,x', 'ftp://news.example.org/a', '/relative', 'not a url').map((s) => bad(s, 'url')) },
);

function datePart(field: string, required: boolean): fc.Arbitrary<Part & { instant?: number }> {
  const arb = dateText.map((d) => (!required && d.text === '' ? ok('') : d.verdict === 'invalid' ? { ...bad(d.text, field) } : d.verdict === 'unknown' ? { value: d.text, mayFail: true } : { value: d.text, ...(d.instant === undefined ? {} : { instant: d.instant }) }));
  return required ? arb : fc.option(arb, { nil: undefined, freq: 2 }).map((p) => p ?? ok(undefined));
}

const tagsPart: fc.Arbitrary<Part> = fc.array(fc.oneof({ weight: 30, arbitrary: hostileName(3) }, { weight: 1, arbitrary: hostileText(4) }, { weight: 3, arbitrary: fc.constantFrom('Korea', 'korea', 'KOREA!', 'Tag 7', 'tag-7') }), { maxLength: 6 }).map((tags) => {
  const mustFail: string[] = [];
  tags.forEach((tag, i) => {
    const clean = expectLine(tag);
    if (clean === '' || clean.length > 200 || slugify(clean) === '') mustFail.push(`tags[${i}]`);
  });
  return { value: tags, mustFail };
});

const creditsPart: fc.Arbitrary<Part> = fc
  .array(
    fc.record({
      name: fc.oneof({ weight: 40, arbitrary: hostileName(4) }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(199), `${'Long Name '.repeat(25)}`, 'Ω'.repeat(201)) }, { weight: 1, arbitrary: hostileText(3) }),
      role: fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...ROLES) }, { weight: 1, arbitrary: fc.constantFrom('Reporter', 'author', '') }),
      organization: fc.option(hostileText(5), { nil: undefined }),
    }),
    { maxLength: 5 },
  )
  .map((credits) => {
    const mustFail: string[] = [];
    credits.forEach((c, i) => {
      const name = expectLine(c.name);
      const broken = name === '' || name.length > 200 || slugify(name) === '' || !ROLES.includes(expectLine(c.role)) || (c.organization !== undefined && expectLine(c.organization).length > 200);
      if (broken) mustFail.push(`credits[${i}]`);
    });
    return { value: credits.map((c) => (c.organization === undefined ? { name: c.name, role: c.role } : c)), mustFail };
  });

const imagesPart: fc.Arbitrary<Part> = fc
  .array(
    fc.record({
      url: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...IMAGE_URLS.filter((u) => !u.includes('no-extension'))) }, { weight: 1, arbitrary: fc.constantFrom(...IMAGE_URLS) }),
      type: fc.option(fc.oneof({ weight: 20, arbitrary: fc.constantFrom('image/jpeg', 'image/png', 'image/svg+xml', 'image/jpg') }, { weight: 1, arbitrary: fc.constant('text/html') }), { nil: undefined }),
      caption: fc.option(hostileText(6), { nil: undefined }),
      credit: fc.option(hostileText(4), { nil: undefined }),
      alt: fc.option(hostileText(4), { nil: undefined }),
      width: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      bytes: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 40 })), { nil: undefined }),
    }),
    { maxLength: 3 },
  )
  .map((images) => {
    const mustFail: string[] = [];
    images.forEach((image, i) => {
      if (image.type === 'text/html') mustFail.push(`images[${i}].type`);
      else if (image.type === undefined && !/\.(jpg|png|webp|gif|avif)(?:[?#]|$)/i.test(image.url)) mustFail.push(`images[${i}].type`);
    });
    const value = images.map((image) => Object.fromEntries(Object.entries(image).filter(([, v]) => v !== undefined)));
    return { value, mustFail };
  });

/** One hostile article record; `index` keeps ids unique within a feed. */
export function articleRecord(index: number, body: fc.Arbitrary<string> = hostileBody()): fc.Arbitrary<GeneratedRecord> {
  return fc
    .record({
      id: idPart(index),
      url: urlPart,
      headline: lineField('headline', fc.oneof({ weight: 30, arbitrary: hostileName(10) }, { weight: 3, arbitrary: hostileText(10) }, { weight: 1, arbitrary: hostileName(2).map((n) => n.repeat(60)) }), 1000, true),
      summary: optional(lineField('summary', hostileText(12), Number.MAX_SAFE_INTEGER, false)),
      body: fc.oneof({ weight: 30, arbitrary: body.map((b) => `<p>Text</p>${b}`) }, { weight: 1, arbitrary: body }).map((raw) => (expectStripped(raw).trim() === '' ? bad(raw, 'body') : ok(raw))),
      published: datePart('published', true),
      updated: datePart('updated', false),
      timezone: optional(fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...ZONES).map(ok) }, { weight: 1, arbitrary: fc.constantFrom('Mars/Olympus', 'EST5EDT!').map((z) => bad(z, 'timezone')) })),
      language: optional(fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...LANGUAGES).map(ok) }, { weight: 1, arbitrary: fc.constantFrom('english!', 'x', '한국어').map((l) => bad(l, 'language')) })),
      service: optional(lineField('service', hostileText(4), 200, false)),
      section: optional(lineField('section', fc.oneof({ weight: 20, arbitrary: hostileName(3) }, { weight: 1, arbitrary: hostileText(3) }), 200, false).map((p) => (typeof p.value === 'string' && !p.mustFail && expectLine(p.value) !== '' && slugify(expectLine(p.value)) === '' ? bad(p.value, 'section') : p))),
      tags: optional(tagsPart),
      credits: optional(creditsPart),
      images: optional(imagesPart),
      status: optional(fc.oneof({ weight: 40, arbitrary: fc.constantFrom('published', 'draft').map(ok) }, { weight: 1, arbitrary: fc.constant(bad('live', 'status')) })),
      unknown: fc.option(fc.constant(ok('extra field')), { nil: undefined, freq: 10 }),
      /** Mostly put the dates in order, so that "updated is earlier" stays a minority of the failures. */
      orderDates: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map(({ orderDates, ...given }) => {
      const p = given.published as Part & { instant?: number };
      const u = given.updated as Part & { instant?: number };
      const swap = orderDates && p.instant !== undefined && u.instant !== undefined && u.instant < p.instant;
      const parts = swap ? { ...given, published: u, updated: p } : given;
      const record: Record<string, unknown> = {};
      const mustFail: string[] = [];
      let mayFail = false;
      for (const [key, part] of Object.entries(parts)) {
        if (part === undefined) continue;
        if (part.value !== undefined) record[key === 'unknown' ? 'unknownField' : key] = part.value;
        mustFail.push(...(part.mustFail ?? []));
        mayFail ||= part.mayFail === true;
      }
      // A local date-time with no zone is an error; with a zone it may fall in a DST gap.
      const published = parts.published as Part & { instant?: number };
      const updated = parts.updated as Part & { instant?: number };
      if (published.instant !== undefined && updated.instant !== undefined && updated.instant < published.instant) mustFail.push('updated');
      if (parts.timezone.mustFail) mayFail = true; // a bad zone also makes local dates unreadable
      const instants = { ...(published.instant === undefined ? {} : { published: published.instant }), ...(updated.instant === undefined ? {} : { updated: updated.instant }) };
      return { record, mustFail, mayFail, instants };
    });
}
