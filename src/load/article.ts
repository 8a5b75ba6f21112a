import { ARTICLE_FIELDS, articleFromValues, type ArticleKey } from '../model/article-fields.js';
import { CREDIT_ROLES, type Article, type Credit, type CreditRole, type Image } from '../model/types.js';
import { parseCreditLine, type ParsedCredit } from './credit-line.js';
import { parseRecordDate, type ZoneNames } from './dates.js';
import { createParseMemo, type ParseMemo } from './load-memo.js';
import { ArticleError } from './errors.js';
import { describe, FieldReader, readInteger, readLine, readUrl } from './fields.js';
import { sanitizeBody } from './html.js';
import { stripMarkup } from './text.js';
import { defineLazyBody, type BodySource } from './lazy-body.js';
import { StaleArticleError } from '../model/stale.js';
import { imageTypeFor } from './media-types.js';
import { capReports, MAX_REPORTS_PER_FILE } from './report-cap.js';
import { readImageRights } from './image-rights.js';

/** Fields a record may have beyond the Article's own: the schema link, and the credit line read into `credits`. */
const RECORD_ONLY_FIELDS = ['$schema', 'creditLine'] as const;
/** Every field a record may have (ARTICLE_FIELDS but `source`, which the loader sets); anything else is reported as a warning. */
export const RECORD_FIELDS: readonly string[] = [...ARTICLE_FIELDS.filter((field) => field.shape !== 'source').map((field) => field.key), ...RECORD_ONLY_FIELDS];
/** Fields read as plain text with no rule of their own (see ArticleField.plain). */
const PLAIN_FIELDS = ARTICLE_FIELDS.filter((field): field is Extract<(typeof ARTICLE_FIELDS)[number], { plain: object }> => 'plain' in field);
const IMAGE_FIELDS = ['url', 'caption', 'credit', 'alt', 'width', 'height', 'type', 'bytes', 'thumbnail', 'rights'];
const CREDIT_FIELDS = ['name', 'role', 'organization'];

export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LANGUAGE_PATTERN = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;
const MAX_TAGS = 100;
const MAX_IMAGES = 50;
const MAX_CREDITS = 50;

export interface ParseDefaults {
  /** Language of records that do not give one (the site's). */
  readonly language: string;
  /** The load's or store's slugs and zone names (see load-memo.ts); a fresh one per record when absent. */
  readonly memo?: ParseMemo;
}

/**
 * Reads the same record again, for a body loaded lazily (see lazy-body.ts):
 * the decoded record if the file is still the version parsed first,
 * undefined if it changed or is gone.
 */
export type RecordRereader = () => unknown;

export interface ParseResult {
  /** Present only when the record has no errors. */
  readonly article?: Article;
  readonly errors: readonly ArticleError[];
  /** Problems that do not stop the article being served (unknown fields). */
  readonly warnings: readonly ArticleError[];
}

/**
 * Validates one decoded record and turns it into an Article: text cleaned,
 * body sanitised, dates read into instants, credits given slugs, image types
 * settled. Reports every problem in the record at once.
 *
 * With `reread`, the body is validated now but neither kept nor sanitised:
 * `article.body` reads the record again through `reread` on first use and
 * sanitises it then, or throws StaleArticleError if the file changed since
 * (see lazy-body.ts for why). Without it (records in memory), the body is
 * sanitised at once. Both give the same string.
 */
export function parseArticle(raw: unknown, file: string, defaults: ParseDefaults, reread?: RecordRereader): ParseResult {
  if (reread === undefined) return parseRecord(raw, file, defaults, true);
  const result = parseRecord(raw, file, defaults, false);
  return result.article === undefined ? result : { ...result, article: attachLazyBody(result.article, { produce: (article) => sanitizedBodyOf(reread(), article) }) };
}

/**
 * parseArticle without the body: validated, but `body` is left an empty
 * string for attachLazyBody to replace. Plain data, so a loader thread can
 * post it (an accessor cannot cross threads).
 */
export function parseArticleWithoutBody(raw: unknown, file: string, defaults: ParseDefaults): ParseResult {
  return parseRecord(raw, file, defaults, false);
}

/** Gives an article from parseArticleWithoutBody its lazily read, sanitised body (see lazy-body.ts). */
export function attachLazyBody(article: Article, source: BodySource): Article {
  return defineLazyBody(article, source);
}

/**
 * The sanitised body of a record read again for `article`, through the same
 * validation as at load; StaleArticleError when there is none (the file
 * changed or is gone: the rereader gives undefined then).
 */
export function sanitizedBodyOf(raw: unknown, article: { readonly url: string; readonly source: string }): string {
  const text = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? readBodyText(new FieldReader(raw as Record<string, unknown>, () => undefined)) : undefined;
  if (text === undefined) throw new StaleArticleError(article.source);
  return sanitizeBody(text, article.url);
}

/** parseRecordFully with at most MAX_REPORTS_PER_FILE errors and warnings listed, and a count of the rest. */
function parseRecord(raw: unknown, file: string, defaults: ParseDefaults, withBody: boolean): ParseResult {
  const { result, unlistedWarnings } = parseRecordFully(raw, file, defaults, withBody);
  const errors = capReports(result.errors, file, 'errors');
  const warnings = capReports(result.warnings, file, 'warnings', MAX_REPORTS_PER_FILE, unlistedWarnings);
  return errors === result.errors && warnings === result.warnings ? result : { ...result, errors, warnings };
}

function parseRecordFully(raw: unknown, file: string, defaults: ParseDefaults, withBody: boolean): { result: ParseResult; unlistedWarnings: number } {
  let unlistedWarnings = 0;
  const done = (result: ParseResult) => ({ result, unlistedWarnings });
  const errors: ArticleError[] = [];
  const warnings: ArticleError[] = [];
  const report = (field: string, problem: string): void => void errors.push(new ArticleError(file, field, problem));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return done({ errors: [new ArticleError(file, undefined, `must hold one JSON object (an article record), got ${describe(raw)}`)], warnings });
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!RECORD_FIELDS.includes(key)) {
      // Counted, not built, past the cap: an Error per key of a 60,000-key record costs a stack capture each.
      if (warnings.length < MAX_REPORTS_PER_FILE) warnings.push(new ArticleError(file, key, 'is not a known field and was ignored'));
      else unlistedWarnings += 1;
    }
  }
  const fields = new FieldReader(record, report);
  const { slugs, zones } = defaults.memo ?? createParseMemo();

  const id = fields.line('id', true, 200);
  if (id !== undefined && !ID_PATTERN.test(id)) report('id', `must be lowercase letters, digits and single '-' between them, got ${JSON.stringify(id)}`);
  const url = fields.url('url', true);
  const plain: Partial<Record<ArticleKey, string>> = {};
  for (const field of PLAIN_FIELDS) {
    const { key, plain: { lines, max } } = field;
    const value = lines === 'one' ? fields.line(key, 'required' in field, max) : fields.text(key, 'required' in field, max);
    if (value !== undefined) plain[key] = value;
  }
  const bodyText = readBodyText(fields);

  const timezone = fields.line('timezone', false, 100);
  if (timezone !== undefined && !zones.isKnown(timezone)) report('timezone', `must be an IANA time zone name such as "Asia/Seoul", got ${JSON.stringify(timezone)}`);
  const zone = timezone !== undefined && zones.isKnown(timezone) ? timezone : undefined;
  const published = readDate(fields, 'published', true, zone, zones, report);
  const updated = readDate(fields, 'updated', false, zone, zones, report);
  if (published && updated && updated.getTime() < published.getTime()) report('updated', 'must not be earlier than "published"');

  const languageTag = fields.line('language', false, 35);
  if (languageTag !== undefined && !LANGUAGE_PATTERN.test(languageTag)) report('language', `must be a language tag such as "en" or "zh-Hans", got ${JSON.stringify(languageTag)}`);

  const tags = readTags(fields, slugs.slugify, report);
  const credits = readCredits(fields, record, slugs.slugify, report);
  const images = readImages(fields, report);

  const status = fields.line('status', false, 20) ?? 'published';
  if (status !== 'published' && status !== 'draft') report('status', `must be "published" or "draft", got ${JSON.stringify(status)}`);

  // A bad link never costs the story: its shape is checked here, whether the original exists across files (store/snapshot.ts).
  const linked = typeof record.translationOf === 'string' ? record.translationOf.trim() : record.translationOf;
  const translationOf = typeof linked === 'string' && ID_PATTERN.test(linked) && linked.length <= 200 ? linked : undefined;
  if (linked !== undefined && translationOf === undefined) {
    warnings.push(new ArticleError(file, 'translationOf', `must be the id of the original article (lowercase letters, digits and single '-'), got ${JSON.stringify(linked)?.slice(0, 200)}; ignored`));
  }

  if (errors.length > 0 || id === undefined || url === undefined || bodyText === undefined || published === undefined) {
    return done({ errors, warnings });
  }
  const body = withBody ? sanitizeBody(bodyText, url) : '';
  const language = languageTag ?? defaults.language;
  const article = articleFromValues({ ...plain, id, url, body, published, updated, timezone, language, tags, credits, images, status, translationOf, source: file });
  return done({ article, errors, warnings });
}

/** The body as validated and cleaned at load; the lazy read goes through the same function. */
function readBodyText(fields: FieldReader): string | undefined {
  return fields.text('body', true);
}

function readDate(fields: FieldReader, field: string, required: boolean, zone: string | undefined, zones: ZoneNames, report: (f: string, p: string) => void): Date | undefined {
  const text = fields.line(field, required, 100);
  if (text === undefined) return undefined;
  const result = parseRecordDate(text, zone, zones);
  if (!result.ok) {
    report(field, result.problem);
    return undefined;
  }
  return result.date;
}

function readTags(fields: FieldReader, slugify: (name: string) => string, report: (f: string, p: string) => void): string[] {
  const list = fields.array('tags');
  if (!list) return [];
  if (list.length > MAX_TAGS) report('tags', `must have at most ${MAX_TAGS} entries, got ${list.length}`);
  const tags: string[] = [];
  const seen = new Set<string>();
  list.slice(0, MAX_TAGS).forEach((value, i) => {
    const tag = readLine(value, `tags[${i}]`, true, 200, report);
    if (tag === undefined) return;
    const slug = slugify(tag);
    if (seen.has(slug)) return;
    seen.add(slug);
    tags.push(tag);
  });
  return tags;
}

function readCredits(fields: FieldReader, record: Readonly<Record<string, unknown>>, slugify: (name: string) => string, report: (f: string, p: string) => void): Credit[] {
  if (fields.has('credits') && fields.has('creditLine')) {
    report('creditLine', 'cannot be given together with "credits"; give one of them');
    return [];
  }
  if (fields.has('creditLine')) {
    const line = fields.line('creditLine', true, 2000);
    if (line === undefined) return [];
    const parsed = parseCreditLine(line);
    if (!parsed.ok) {
      report('creditLine', `could not be read as credits: ${JSON.stringify(parsed.unparsed)} is not "Reported by …", "Written by …", "Translated by …", "Edited by …", "Photos by …" or "Produced by …"`);
      return [];
    }
    return parsed.credits.map((credit) => withSlug(credit, slugify));
  }
  const list = fields.array('credits');
  if (!list) return [];
  if (list.length > MAX_CREDITS) report('credits', `must have at most ${MAX_CREDITS} entries, got ${list.length}`);
  const credits: Credit[] = [];
  list.slice(0, MAX_CREDITS).forEach((value, i) => {
    const at = `credits[${i}]`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return report(at, `must be an object with "name" and "role", got ${describe(value)}`);
    const entry = value as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!CREDIT_FIELDS.includes(key)) report(`${at}.${key}`, 'is not a credit field (name, role, organization)');
    const name = readLine(entry.name, `${at}.name`, true, 200, report);
    const role = readLine(entry.role, `${at}.role`, true, 40, report);
    const organization = readLine(entry.organization, `${at}.organization`, false, 200, report);
    if (role !== undefined && !(CREDIT_ROLES as readonly string[]).includes(role)) {
      return report(`${at}.role`, `must be one of ${CREDIT_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    }
    if (name === undefined || role === undefined) return;
    credits.push(withSlug(organization === undefined ? { name, role: role as CreditRole } : { name, role: role as CreditRole, organization }, slugify));
  });
  return credits;
}

/** A caption, photo credit or alt text: plain text, pasted markup removed (see stripMarkup); nothing left is no value. */
function plainLine(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  const plain = stripMarkup(line);
  return plain === '' ? undefined : plain;
}

function withSlug(credit: ParsedCredit, slugify: (name: string) => string): Credit {
  return { ...credit, slug: slugify(credit.name) };
}

function readImages(fields: FieldReader, report: (f: string, p: string) => void): Image[] {
  const list = fields.array('images');
  if (!list) return [];
  if (list.length > MAX_IMAGES) report('images', `must have at most ${MAX_IMAGES} entries, got ${list.length}`);
  const images: Image[] = [];
  list.slice(0, MAX_IMAGES).forEach((value, i) => {
    const at = `images[${i}]`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return report(at, `must be an object with at least "url", got ${describe(value)}`);
    const entry = value as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!IMAGE_FIELDS.includes(key)) report(`${at}.${key}`, `is not an image field (${IMAGE_FIELDS.join(', ')})`);
    const url = readUrl(entry.url, `${at}.url`, true, report);
    const caption = plainLine(readLine(entry.caption, `${at}.caption`, false, 5000, report));
    const credit = plainLine(readLine(entry.credit, `${at}.credit`, false, 500, report));
    const alt = plainLine(readLine(entry.alt, `${at}.alt`, false, 2000, report));
    const width = readInteger(entry.width, `${at}.width`, 1, 100_000, report);
    const height = readInteger(entry.height, `${at}.height`, 1, 100_000, report);
    const bytes = readInteger(entry.bytes, `${at}.bytes`, 0, Number.MAX_SAFE_INTEGER, report);
    const thumbnail = readUrl(entry.thumbnail, `${at}.thumbnail`, false, report);
    const rights = readImageRights(entry.rights, `${at}.rights`, report);
    const declared = readLine(entry.type, `${at}.type`, false, 100, report);
    if (declared !== undefined && !/^image\/[a-z0-9.+-]+$/.test(declared)) return report(`${at}.type`, `must be an image MIME type such as "image/jpeg", got ${JSON.stringify(declared)}`);
    if (url === undefined) return;
    const type = declared ?? imageTypeFor(url);
    if (type === undefined) return report(`${at}.type`, `is required when the URL does not end in a known image extension (.jpg, .png, .gif, .webp, .avif, .svg), got ${JSON.stringify(url)}`);
    images.push({
      url,
      type,
      ...(caption === undefined ? {} : { caption }),
      ...(credit === undefined ? {} : { credit }),
      ...(alt === undefined ? {} : { alt }),
      ...(width === undefined ? {} : { width }),
      ...(height === undefined ? {} : { height }),
      ...(bytes === undefined ? {} : { bytes }),
      ...(thumbnail === undefined ? {} : { thumbnail }),
      ...(rights === undefined ? {} : { rights }),
    });
  });
  return images;
}

