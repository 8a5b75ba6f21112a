import { excerpt } from '../../src/render/rss.js';
import { expect } from 'vitest';
import { ArticleError } from '../../src/load/errors.js';
import { RECORD_FIELDS, type ParseResult } from '../../src/load/article.js';
import { slugify } from '../../src/model/slug.js';
import type { Article, FeedFormat, Site } from '../../src/model/types.js';
import type { GeneratedRecord } from './arbitraries.js';
import { type ReadItem, unsafeHtml } from './feed-check.js';
import { expectLine, expectText } from './normalise.js';
import { joinNames } from '../../src/map/to-feed-model.js';

const TYPES_BY_EXTENSION: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml' };
const AUTHOR_ROLES = ['reporter', 'writer'];

/** Does an error name this field (or a field inside it: "credits[1]" covers "credits[1].name")? */
function names(error: ArticleError, field: string): boolean {
  const f = error.field ?? '';
  return f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`);
}

/**
 * The verdict of parseArticle agrees with what the generator knows, and
 * every error is well-formed: an ArticleError naming the file and a field
 * of the record, with a message that reads `file: field "x" problem`.
 */
export function checkVerdict(generated: GeneratedRecord, result: ParseResult, file: string): void {
  for (const error of [...result.errors, ...result.warnings]) {
    expect(error).toBeInstanceOf(ArticleError);
    expect(error.file).toBe(file);
    expect(error.field, error.message).toBeTypeOf('string');
    const root = /^[^.[]+/.exec(error.field ?? '')?.[0] ?? '';
    expect([...RECORD_FIELDS, 'unknownField'], error.message).toContain(root);
    expect(error.message).toBe(`${file}: field "${error.field}" ${error.problem}`);
    expect(error.problem.length).toBeGreaterThan(5);
  }
  for (const field of generated.mustFail) {
    expect(result.article, `record must be rejected for ${field}`).toBeUndefined();
    expect(result.errors.some((e) => names(e, field)), `an error must name ${field}; got ${result.errors.map((e) => e.message).join(' | ')}`).toBe(true);
  }
  if (generated.mustFail.length === 0 && !generated.mayFail) {
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.article).toBeDefined();
  }
  if ('unknownField' in generated.record) expect(result.warnings.some((w) => w.field === 'unknownField')).toBe(true);
}

/**
 * A record URL as served: the URL standard's form, then every ASCII character
 * RFC 3986 forbids after the host percent-encoded (the W3C validator reports
 * them as errors).
 */
function expectUri(text: string): string {
  const url = new URL(expectLine(text));
  const href = url.toString();
  const cut = href.indexOf(url.host, url.protocol.length) + url.host.length;
  const allowed = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz;/?:@&=+$.-_!~*'()%,#";
  return href.slice(0, cut) + [...href.slice(cut)].map((c) => (c < '\u0080' && !allowed.includes(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c)).join('');
}

interface ExpectedImage {
  url: string;
  type: string;
  bytes?: number;
}

function expectedImages(record: Record<string, unknown>): ExpectedImage[] {
  const images = (record.images as Record<string, unknown>[] | undefined) ?? [];
  return images.map((image) => {
    const url = expectUri(image.url as string);
    const ext = /\.([A-Za-z0-9]+)$/.exec(new URL(url).pathname)?.[1]?.toLowerCase() ?? '';
    const type = typeof image.type === 'string' ? expectLine(image.type) : TYPES_BY_EXTENSION[ext]!;
    return { url, type, ...(typeof image.bytes === 'number' ? { bytes: image.bytes } : {}) };
  });
}

/** Categories as the README documents them: the section, then the tags without duplicates by slug. */
function expectedCategories(record: Record<string, unknown>): string[] {
  const out: string[] = [];
  const section = typeof record.section === 'string' ? expectLine(record.section) : '';
  if (section !== '') out.push(section);
  const seen = new Set<string>();
  for (const raw of (record.tags as string[] | undefined) ?? []) {
    const tag = expectLine(raw);
    if (seen.has(slugify(tag))) continue;
    seen.add(slugify(tag));
    out.push(tag);
  }
  return out;
}

/**
 * One accepted record, read back from one format, matches the record after
 * the documented normalisation. Expectations come from the raw record (and
 * the generator's known instants), not from the Article, except for the
 * sanitised body, which only sanitize-html defines; that is checked for
 * safety and for being carried whole.
 */
export function checkItem(format: FeedFormat, generated: GeneratedRecord, article: Article, item: ReadItem, site: Site): void {
  const { record } = generated;
  expect(item.id).toBe(`tag:${site.idAuthority}:${expectLine(record.id as string)}`);
  expect(item.title).toBe(expectLine(record.headline as string));
  expect(item.link).toBe(expectUri(record.url as string));

  const summary = typeof record.summary === 'string' ? expectText(record.summary) : '';
  // RSS: without a summary, an excerpt of the body is the description (README); the others leave it out.
  if (summary === '' && format === 'rss') expect(item.summary ?? '').toBe(excerpt(article.body));
  else if (summary === '') expect(item.summary).toBeUndefined();
  else expect(item.summary).toBe(summary);

  const published = generated.instants.published ?? article.published.getTime();
  const updatedGiven = typeof record.updated === 'string' && record.updated.trim() !== '';
  const updated = generated.instants.updated ?? (updatedGiven ? article.updated.getTime() : published);
  // RFC 822 dates in RSS carry whole seconds.
  const precision = (t: number): number => (format === 'rss' ? Math.floor(t / 1000) * 1000 : t);
  expect(item.published).toBe(precision(published));
  expect(item.updated).toBe(updated);
  expect(article.published.getTime()).toBe(published);

  const credits = ((record.credits as { name: string; role: string }[] | undefined) ?? []).map((c) => ({ name: expectLine(c.name), role: expectLine(c.role) }));
  const authorNames = credits.filter((c) => AUTHOR_ROLES.includes(c.role)).map((c) => c.name);
  // RSS: one dc:creator with the joined byline (readers that show one author show the last dc:creator only).
  if (format === 'rss') expect(item.authors).toEqual(authorNames.length === 0 ? [] : [joinNames(authorNames)]);
  else expect(item.authors).toEqual(authorNames);
  expect(item.contributors).toEqual(credits.filter((c) => !AUTHOR_ROLES.includes(c.role)).map((c) => c.name));

  const categories = expectedCategories(record);
  expect(item.categories).toEqual(categories);
  // Atom: the name is the term, as WordPress writes it (issue 24: readers that show the term showed slugs).
  if (item.terms) expect(item.terms).toEqual(categories);

  const language = typeof record.language === 'string' ? expectLine(record.language) : site.language;
  if (format === 'rss') expect(item.language).toBe(language === site.language ? undefined : language);
  else expect(item.language).toBe(language);

  const images = expectedImages(record);
  const lead = images[0];
  if (format === 'rss') {
    // RSS requires a positive length on an enclosure: only a lead image with a known, non-zero size gets one.
    if (lead?.bytes) expect(item.enclosure).toEqual({ url: lead.url, type: lead.type, length: lead.bytes });
    else expect(item.enclosure).toBeUndefined();
  } else if (lead === undefined) {
    expect(item.enclosure).toBeUndefined();
  } else {
    expect(item.enclosure).toEqual({ url: lead.url, type: lead.type, ...(lead.bytes === undefined ? {} : { length: lead.bytes }) });
  }
  // Media RSS wants a positive fileSize: RSS leaves out a size of 0.
  const knownSize = (bytes: number | undefined) => bytes !== undefined && (format !== 'rss' || bytes > 0);
  if (item.images) expect(item.images).toEqual(images.map((i) => ({ url: i.url, type: i.type, ...(knownSize(i.bytes) ? { bytes: i.bytes } : {}) })));

  // The body: sanitised, carried whole, and nothing unsafe anywhere in the content.
  // A body that sanitises to nothing gives no content element (the summary stays: JSON Feed's content_text).
  if (article.body === '') expect(item.contentHtml ?? '', 'no content for a body that sanitises to nothing').toBe('');
  else expect(item.contentHtml?.includes(article.body), 'content carries the sanitised body').toBe(true);
  expect(unsafeHtml(item.contentHtml ?? '')).toEqual([]);
}
