/**
 * How one parsed article file is written into the persisted index (see
 * record-index.ts) and read back: positional arrays instead of objects, and
 * repeated strings (tags, sections, languages, credited people) as numbers
 * into one string table. At 100,000 records this halves the index and the
 * time JSON.parse takes over it, and the restored articles share one copy
 * of each repeated string instead of 100,000.
 *
 * A restored article is built in exactly the shape the loader makes (same
 * properties in the same order, see parseRecord in load/article.ts), so
 * sameArticle, spreads and JSON output cannot tell the two apart.
 */
import { ArticleError } from '../../load/errors.js';
import type { FileVersion } from '../../load/files.js';
import { addLazyBody, type BodySource } from '../../load/lazy-body.js';
import type { Article, ArticleStatus, Credit, CreditRole, Image, ImageRights } from '../../model/types.js';

/** What the index keeps of one file: its version, the article without its body, and the loader's warnings. */
export interface IndexedRecord {
  readonly name: string;
  readonly version: FileVersion;
  /** Its body is read from the file, in `version`, on first use (see load/lazy-body.ts). */
  readonly article: Article;
  readonly warnings: readonly ArticleError[];
}

type Str = number;
type Opt<T> = T | null;
type EncodedImage = [url: string, type: Str, caption: Opt<string>, credit: Opt<Str>, alt: Opt<string>, width: Opt<number>, height: Opt<number>, bytes: Opt<number>, thumbnail: Opt<string>, rights?: [syndicate: Opt<boolean>, terms: Opt<string>]];
type EncodedWarning = [field: Opt<string>, problem: string];
/** One record; `updated` is null when it equals `published` (most records). */
export type EncodedRecord = [
  name: string, size: number, mtimeMs: number, ctimeMs: number, ino: number,
  id: string, url: string, headline: string, summary: Opt<string>, published: number, updated: Opt<number>,
  timezone: Opt<Str>, language: Str, service: Opt<Str>, section: Opt<Str>, tags: Str[], credits: Str[],
  images: EncodedImage[], status: Str, warnings: Opt<EncodedWarning[]>, translationOf: Opt<string>,
];
/** A credit as indexes into the string table: name, role, organization (or -1), slug. */
export type EncodedCredit = [Str, Str, Str, Str];

/** The shared tables of one index file, written after the records that use them. */
export interface IndexTables {
  readonly strings: readonly string[];
  readonly credits: readonly EncodedCredit[];
}

/** Encodes records, collecting the tables as it goes. */
export class IndexEncoder {
  private readonly stringIds = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly creditIds = new Map<string, number>();
  private readonly credits: EncodedCredit[] = [];

  private str(value: string): Str {
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.stringIds.set(value, id);
    }
    return id;
  }

  private opt(value: string | undefined): Opt<Str> {
    return value === undefined ? null : this.str(value);
  }

  private credit(c: Credit): Str {
    const encoded: EncodedCredit = [this.str(c.name), this.str(c.role), c.organization === undefined ? -1 : this.str(c.organization), this.str(c.slug)];
    const key = encoded.join(',');
    let id = this.creditIds.get(key);
    if (id === undefined) {
      id = this.credits.length;
      this.credits.push(encoded);
      this.creditIds.set(key, id);
    }
    return id;
  }

  /** `article` must not be read for its body: that would read and sanitise it (lazy-body.ts). */
  encode(name: string, version: FileVersion, article: Article, warnings: readonly ArticleError[]): EncodedRecord {
    const a = article;
    const images = a.images.map((i): EncodedImage => {
      const encoded: EncodedImage = [i.url, this.str(i.type), i.caption ?? null, this.opt(i.credit), i.alt ?? null, i.width ?? null, i.height ?? null, i.bytes ?? null, i.thumbnail ?? null];
      // Rights are rare: left off the tuple when absent, so most images cost no more than before.
      if (i.rights !== undefined) encoded.push([i.rights.syndicate ?? null, i.rights.terms ?? null]);
      return encoded;
    });
    const updated = a.updated.getTime() === a.published.getTime() ? null : a.updated.getTime();
    return [
      name, version.size, version.mtimeMs, version.ctimeMs, version.ino,
      a.id, a.url, a.headline, a.summary ?? null, a.published.getTime(), updated,
      this.opt(a.timezone), this.str(a.language), this.opt(a.service), this.opt(a.section), a.tags.map((t) => this.str(t)), a.credits.map((c) => this.credit(c)),
      images, this.str(a.status), warnings.length === 0 ? null : warnings.map((w): EncodedWarning => [w.field ?? null, w.problem]), a.translationOf ?? null,
    ];
  }

  tables(): IndexTables {
    return { strings: this.strings, credits: this.credits };
  }
}

/** Checks the shape of decoded tables; throws on anything but what IndexEncoder writes. */
function checkTables(tables: IndexTables): void {
  if (!Array.isArray(tables.strings) || !Array.isArray(tables.credits)) throw new Error('tables are missing');
  for (const s of tables.strings) if (typeof s !== 'string') throw new Error('string table holds a non-string');
}

/** Decodes records against one file's tables. Throws on a malformed record: the caller then ignores the whole index. */
export class IndexDecoder {
  private readonly strings: readonly string[];
  private readonly credits: readonly Credit[];

  constructor(tables: IndexTables) {
    checkTables(tables);
    this.strings = tables.strings;
    // One Credit object per distinct credit, shared by every article that carries it (articles are never mutated).
    this.credits = tables.credits.map(([name, role, organization, slug]) => {
      const base = { name: this.str(name), role: this.str(role) as CreditRole };
      return organization === -1 ? { ...base, slug: this.str(slug) } : { ...base, organization: this.str(organization), slug: this.str(slug) };
    });
  }

  private str(id: unknown): string {
    const value = typeof id === 'number' ? this.strings[id] : undefined;
    if (value === undefined) throw new Error(`bad string reference ${String(id)}`);
    return value;
  }

  private opt(id: Opt<Str>): string | undefined {
    return id === null ? undefined : this.str(id);
  }

  /**
   * `source` is how the loader names the file in messages (displayName);
   * `body` gives the body's source for the file version (see lazy-body.ts).
   * The article is built with its lazy body in place, not copied to add it.
   */
  decode(record: EncodedRecord, source: string, body: (name: string, version: FileVersion) => BodySource): IndexedRecord {
    if (!Array.isArray(record) || record.length !== 21) throw new Error('malformed record');
    const [name, size, mtimeMs, ctimeMs, ino, id, url, headline, summary, published, updated, timezone, language, service, section, tags, credits, images, status, warnings, translationOf] = record;
    if (typeof name !== 'string' || typeof id !== 'string' || typeof url !== 'string' || typeof headline !== 'string' || typeof published !== 'number') throw new Error('malformed record');
    const version: FileVersion = { size, mtimeMs, ctimeMs, ino };
    const publishedAt = new Date(published);
    // Same properties in the same order as parseRecord (load/article.ts), body where it has it.
    const a: Record<string, unknown> = { id, url, headline };
    if (summary !== null) a.summary = summary;
    addLazyBody(a, body(name, version));
    a.published = publishedAt;
    a.updated = updated === null ? publishedAt : new Date(updated);
    if (timezone !== null) a.timezone = this.str(timezone);
    a.language = this.str(language);
    if (service !== null) a.service = this.str(service);
    if (section !== null) a.section = this.str(section);
    a.tags = tags.map((t) => this.str(t));
    a.credits = credits.map((c) => {
      const credit = this.credits[c];
      if (credit === undefined) throw new Error(`bad credit reference ${c}`);
      return credit;
    });
    a.images = images.map((i) => this.image(i));
    a.status = this.str(status) as ArticleStatus;
    if (translationOf !== null) a.translationOf = translationOf;
    a.source = source;
    const problems = (warnings ?? []).map(([field, problem]) => new ArticleError(source, field ?? undefined, problem));
    return { name, version, article: a as unknown as Article, warnings: problems };
  }

  private image([url, type, caption, credit, alt, width, height, bytes, thumbnail, rights]: EncodedImage): Image {
    // Same property order as readImages (load/article.ts); assignments, not conditional spreads, which made
    // a throwaway object per absent field (over a million at 100,000 articles).
    const image: Record<string, unknown> = { url, type: this.str(type) };
    if (caption !== null) image.caption = caption;
    if (credit !== null) image.credit = this.str(credit);
    if (alt !== null) image.alt = alt;
    if (width !== null) image.width = width;
    if (height !== null) image.height = height;
    if (bytes !== null) image.bytes = bytes;
    if (thumbnail !== null) image.thumbnail = thumbnail;
    if (rights !== undefined) {
      const [syndicate, terms] = rights;
      const restored: { syndicate?: boolean; terms?: string } = {};
      if (syndicate !== null) restored.syndicate = syndicate;
      if (terms !== null) restored.terms = terms;
      image.rights = restored as ImageRights;
    }
    return image as unknown as Image;
  }
}
