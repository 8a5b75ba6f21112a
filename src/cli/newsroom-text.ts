import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { escapeMarkup } from '../model/escape.js';
import { CREDIT_LINE_START, parseCreditLine, type ParsedCredit } from '../load/credit-line.js';
import { parseRecordDate } from '../load/dates.js';
import { cleanLine } from '../load/text.js';

/**
 * Reads an article as newsrooms publish it in plain text (copied from the
 * web page): the headline on the first line, share-button debris, an image
 * name with its caption, the body paragraphs, the credit line, then the
 * comment-form notice. Pure: text in, a description of the story out; the
 * CLI (src/cli/import.ts) does the file work.
 */

/** The lead image as the text names it. */
export interface NewsroomImage {
  /** The image file name as printed, e.g. "border-river-2019-crop". */
  readonly name: string;
  readonly caption?: string;
  /** The agency that released the picture, read from the caption. */
  readonly credit?: string;
  /** 1-based line number of the image name. */
  readonly line: number;
}

/** What the importer found in a newsroom text, and what it dropped or could not place. */
export interface NewsroomStory {
  readonly headline: string;
  readonly image?: NewsroomImage;
  /** Body paragraphs as plain text, in order. */
  readonly paragraphs: readonly string[];
  /** The credit line as printed, when the story has one. */
  readonly creditLine?: string;
  readonly credits: readonly ParsedCredit[];
  readonly removed: {
    /** Share-button lines dropped ("Share on WhatsApp", "Print"…). */
    readonly shareButtons: number;
    /** Whether the comment-form notice was found (it and everything after it are dropped). */
    readonly commentNotice: boolean;
    /** Non-empty lines dropped after the comment-form notice, the notice included. */
    readonly afterCommentNotice: number;
  };
  /** Lines kept in the body that the importer did not recognise, and other things to check. */
  readonly warnings: readonly string[];
  /** Problems that stop the import (no headline, an unreadable credit line). */
  readonly errors: readonly string[];
}

const NETWORK =
  "whats\\s?app|facebook(?:\\s+messenger)?|messenger|twitter|x|telegram|e-?mail|print|linked\\s?in|reddit|line|kakao\\s?(?:talk|story)|weibo|we\\s?chat|vk|vkontakte|odnoklassniki|pinterest|viber|signal|bluesky|threads|mastodon|tumblr|naver|band|sms|copy\\s+link|link";
const SHARE_ITEM = `(?:(?:share|post|send|tweet|pin|e-?mail|print)(?:\\s+(?:this|it))?(?:\\s+(?:article|story|page|link))?(?:\\s+(?:on|to|via|by|with|in))?(?:\\s+(?:${NETWORK}))?|${NETWORK})`;
/** A line made only of share buttons for any network: "Share on WhatsApp", "Facebook | Twitter/X", "Print this page". */
const SHARE_LINE = new RegExp(`^${SHARE_ITEM}(?:\\s*[|·•,/]?\\s*${SHARE_ITEM})*$`, 'iu');

/** The comment-form notice that ends the article on the page; it and everything after it are page furniture. */
const COMMENT_NOTICE = /^add\s+your\s+comment\b|\bfilling\s+out\s+the\s+form\s+below\b/iu;

const IMAGE_EXTENSIONS = 'jpe?g|jpe|png|gif|webp|avif|svg';
/**
 * An image-name line: a lower-case file-name token (words joined by '-' or
 * '_', or a name with an image extension), then optionally the caption.
 */
const IMAGE_LINE = new RegExp(`^([a-z0-9]+(?:[-_][a-z0-9]+)+(?:\\.(?:${IMAGE_EXTENSIONS}))?|[a-z0-9][a-z0-9_-]*\\.(?:${IMAGE_EXTENSIONS}))(?:\\s+(\\S.*))?$`, 'u');
const HAS_EXTENSION = /\.[A-Za-z0-9]{2,5}$/;

/** "…picture released by Korean Central News Agency on October 16…" → "Korean Central News Agency". */
const RELEASED_BY = /\b(?:released\s+by|courtesy\s+of)\s+(?:the\s+)?(.+?)(?=\s+(?:on|in|at|via|shows?|showing|to|from|during|as)\s|[,;:]|\.(?:\s|$)|$)/iu;

/** A paragraph ends the way prose ends; anything else is listed for a human to check. */
const ENDS_LIKE_PROSE = /[.!?…"”’'»)\]:。！？؟။།]$/u;

/** How far from the end the credit line is looked for (it is the story's last line; debris may follow). */
const CREDIT_LINE_WINDOW = 3;

interface Line {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
}

/** Reads newsroom text into a story. Never throws; problems are in `errors` and `warnings`. */
export function parseNewsroomText(input: string): NewsroomStory {
  const errors: string[] = [];
  const warnings: string[] = [];
  const all = input
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw, i): Line => ({ text: cleanLine(raw), number: i + 1 }));

  const noticeAt = all.findIndex((l) => COMMENT_NOTICE.test(l.text));
  const kept = noticeAt === -1 ? all : all.slice(0, noticeAt);
  const afterCommentNotice = noticeAt === -1 ? 0 : all.slice(noticeAt).filter((l) => l.text !== '').length;

  const headlineAt = kept.findIndex((l) => l.text !== '');
  const empty = { paragraphs: [], credits: [], removed: { shareButtons: 0, commentNotice: noticeAt !== -1, afterCommentNotice } };
  if (headlineAt === -1) return { headline: '', ...empty, warnings, errors: ['the text has no headline (it is empty before the comment-form notice)'] };
  const headline = kept[headlineAt]!.text;

  // Share buttons are blanked rather than removed so that "the next line" still means the next line of the file.
  let shareButtons = 0;
  const lines = kept.slice(headlineAt + 1).map((l): Line => {
    if (l.text === '' || !SHARE_LINE.test(l.text)) return l;
    shareButtons += 1;
    return { text: '', number: l.number };
  });

  const consumed = new Set<number>();
  const image = findImage(lines, consumed);

  const content = lines.filter((l, i) => l.text !== '' && !consumed.has(i));
  let creditLine: Line | undefined;
  let credits: readonly ParsedCredit[] = [];
  const creditAt = findCreditLine(content);
  if (creditAt === -1) {
    warnings.push('no credit line ("Reported by …") found at the end of the story; the record has no credits');
  } else {
    creditLine = content[creditAt]!;
    const parsed = parseCreditLine(creditLine.text);
    if (parsed.ok) credits = parsed.credits;
    else errors.push(`line ${creditLine.number}: the credit line could not be read: ${JSON.stringify(parsed.unparsed)} is not "Reported by …", "Written by …", "Translated by …", "Edited by …", "Photos by …" or "Produced by …" (in ${JSON.stringify(creditLine.text)})`);
    for (const after of content.slice(creditAt + 1)) {
      warnings.push(`line ${after.number}: ${JSON.stringify(after.text)} comes after the credit line; kept at the end of the body`);
    }
  }

  const body = content.filter((_, i) => i !== creditAt);
  const afterCredit = creditAt === -1 ? new Set<Line>() : new Set(content.slice(creditAt + 1));
  for (const line of body) {
    if (afterCredit.has(line)) continue;
    if (IMAGE_LINE.test(line.text) && !line.text.includes(' ')) {
      warnings.push(`line ${line.number}: ${JSON.stringify(line.text)} looks like an image name but is not the lead image; kept as a paragraph`);
    } else if (!ENDS_LIKE_PROSE.test(line.text)) {
      warnings.push(`line ${line.number}: ${JSON.stringify(line.text)} was not recognised (it does not end like a sentence); kept as a paragraph`);
    }
  }
  if (body.length === 0) errors.push('the text has no body paragraphs');

  return {
    headline,
    ...(image === undefined ? {} : { image }),
    paragraphs: body.map((l) => l.text),
    ...(creditLine === undefined ? {} : { creditLine: creditLine.text }),
    credits,
    removed: { shareButtons, commentNotice: noticeAt !== -1, afterCommentNotice },
    warnings,
    errors,
  };
}

/**
 * The lead image is the first line after the headline (and the share
 * buttons) when it starts with an image name. Its caption is the rest of
 * that line or, when the name stands alone, the line directly below it.
 */
function findImage(lines: readonly Line[], consumed: Set<number>): NewsroomImage | undefined {
  const at = lines.findIndex((l) => l.text !== '');
  if (at === -1) return undefined;
  const match = IMAGE_LINE.exec(lines[at]!.text);
  if (!match) return undefined;
  consumed.add(at);
  const name = match[1]!;
  let caption = match[2];
  const next = lines[at + 1];
  if (caption === undefined && next !== undefined && next.text !== '') {
    caption = next.text;
    consumed.add(at + 1);
  }
  const credit = caption === undefined ? undefined : agencyIn(caption);
  return { name, line: lines[at]!.number, ...(caption === undefined ? {} : { caption }), ...(credit === undefined ? {} : { credit }) };
}

function findCreditLine(content: readonly Line[]): number {
  for (let i = content.length - 1; i >= Math.max(0, content.length - CREDIT_LINE_WINDOW); i -= 1) {
    if (CREDIT_LINE_START.test(content[i]!.text)) return i;
  }
  return -1;
}

/** The agency a caption says released the picture ("released by X", "courtesy of X"), if it says so. */
export function agencyIn(caption: string): string | undefined {
  const agency = RELEASED_BY.exec(caption)?.[1]?.trim();
  return agency === undefined || agency === '' ? undefined : agency;
}

/** The image URL: the media base joined with the image name, `.jpg` added when the name has no extension. */
export function imageUrl(mediaBase: string, name: string): string {
  const file = HAS_EXTENSION.test(name) ? name : `${name}.jpg`;
  return `${mediaBase.endsWith('/') ? mediaBase : `${mediaBase}/`}${encodeURIComponent(file)}`;
}

const MAX_SLUG = 60;

/**
 * A record id from the publication month and the headline:
 * "2019-10-inspectors-sweep-border-towns". A headline mostly in a non-Latin
 * script gets a short hash instead of a slug ("2019-11-5f2a9c01e4"), so ids
 * stay ASCII. undefined when the date cannot be read.
 */
export function deriveId(headline: string, published: string, timezone?: string): string | undefined {
  const month = publicationMonth(published, timezone);
  if (month === undefined) return undefined;
  return `${month}-${headlineSlug(headline)}`;
}

/** YYYY-MM of the date as the newsroom wrote it (its own wall clock, not UTC). */
function publicationMonth(published: string, timezone: string | undefined): string | undefined {
  if (!parseRecordDate(published, timezone).ok) return undefined;
  const text = published.trim();
  const iso = /^(\d{4})-(\d{2})/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]}`;
  const rfc = DateTime.fromRFC2822(text, { setZone: true });
  return rfc.isValid ? rfc.toFormat('yyyy-MM') : undefined;
}

/** ASCII slug of a headline, at most 60 characters cut at a word; a short hash for non-Latin headlines. */
export function headlineSlug(headline: string): string {
  const letters = headline.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
  const slug = headline
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const ascii = slug.replace(/-/g, '').length;
  if (slug === '' || ascii * 2 < letters) return createHash('sha256').update(headline.normalize('NFC')).digest('hex').slice(0, 10);
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG + 1);
  const lastBreak = cut.lastIndexOf('-');
  return (lastBreak > MAX_SLUG / 2 ? cut.slice(0, lastBreak) : cut.slice(0, MAX_SLUG)).replace(/-+$/, '');
}

/** What the command line adds to the text. */
export interface ImportOptions {
  readonly url: string;
  readonly published: string;
  readonly timezone?: string;
  readonly service?: string;
  readonly section?: string;
  readonly language?: string;
  readonly id?: string;
  /** Id of the original this story translates. */
  readonly translationOf?: string;
  /** Needed only when the story has an image. */
  readonly mediaBase?: string;
}

/**
 * The article record (the on-disk JSON shape, see README "Article records")
 * for a story. It is not validated here: the caller runs parseArticle on it,
 * so the importer and the server agree on what a valid record is.
 */
export function toArticleRecord(story: NewsroomStory, options: ImportOptions): { readonly record: Record<string, unknown>; readonly errors: readonly string[] } {
  const errors: string[] = [];
  const id = options.id ?? deriveId(story.headline, options.published, options.timezone);
  if (id === undefined) errors.push('cannot derive an id: the published date cannot be read (see "published" below); fix it or give --id');
  let images: Record<string, unknown>[] | undefined;
  if (story.image) {
    if (options.mediaBase === undefined) {
      errors.push(`the story has an image (${JSON.stringify(story.image.name)}, line ${story.image.line}) but no media base is known: give --media-base or set "mediaBase" in site.json`);
    } else {
      const { caption, credit } = story.image;
      images = [{ url: imageUrl(options.mediaBase, story.image.name), ...(caption === undefined ? {} : { caption }), ...(credit === undefined ? {} : { credit }) }];
    }
  }
  const record: Record<string, unknown> = {
    ...(id === undefined ? {} : { id }),
    ...(options.translationOf === undefined ? {} : { translationOf: options.translationOf }),
    url: options.url,
    headline: story.headline,
    body: story.paragraphs.map((p) => `<p>${escapeMarkup(p)}</p>`).join('\n'),
    published: options.published,
    ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    ...(options.language === undefined ? {} : { language: options.language }),
    ...(options.service === undefined ? {} : { service: options.service }),
    ...(options.section === undefined ? {} : { section: options.section }),
    ...(story.credits.length === 0
      ? {}
      : { credits: story.credits.map(({ name, role, organization }) => (organization === undefined ? { name, role } : { name, role, organization })) }),
    ...(images === undefined ? {} : { images }),
    status: 'published',
  };
  return { record, errors };
}
