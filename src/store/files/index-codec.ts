/**
 * How one parsed article file is written into the persisted index (see
 * record-index.ts) and read back: arrays whose columns are the article
 * fields of ARTICLE_FIELDS, named once in the index's identity (INDEX_COLUMNS)
 * instead of in every record, and
 * repeated strings (tags, sections, languages, credited people) as numbers
 * into one string table. At 100,000 records this halves the index and the
 * time JSON.parse takes over it, and the restored articles share one copy
 * of each repeated string instead of 100,000.
 *
 * A restored article is built in exactly the shape the loader makes (same
 * properties in the same order, ARTICLE_FIELDS), so
 * sameArticle, spreads and JSON output cannot tell the two apart.
 */
import { ArticleError } from '../../load/errors.js';
import type { FileVersion } from '../../load/files.js';
import { addLazyBody, type BodySource } from '../../load/lazy-body.js';
import { ARTICLE_FIELDS, type ArticleField } from '../../model/article-fields.js';
import type { Article, Credit, CreditRole, Image, ImageRights } from '../../model/types.js';

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

/**
 * The article fields the index keeps, in ARTICLE_FIELDS order: all but the
 * body (read from the file on first use) and the source (named by the
 * reader). Each is written as its shape says (see encodeField); an absent
 * optional field, or a field equal to the one it defaults to, is null.
 */
const COLUMNS = ARTICLE_FIELDS.filter((field) => field.shape !== 'body' && field.shape !== 'source');
/** The columns by name and shape, as the index's identity records them: an index written with other columns is rebuilt, not misread. */
export const INDEX_COLUMNS = COLUMNS.map((field) => `${field.key}:${field.shape}`).join(',');
/** Slots before the columns: the file's name and version, and the loader's warnings. */
const FILE_SLOTS = 6;
/** One record: the file's slots, then one value per column. */
export type EncodedRecord = [name: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, warnings: Opt<EncodedWarning[]>, ...columns: unknown[]];
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
    const record: EncodedRecord = [name, version.size, version.mtimeMs, version.ctimeMs, version.ino, warnings.length === 0 ? null : warnings.map((w): EncodedWarning => [w.field ?? null, w.problem])];
    for (const field of COLUMNS) record.push(this.field(field, article));
    return record;
  }

  private field(field: ArticleField, article: Article): unknown {
    const value = article[field.key];
    if (value === undefined) return null;
    switch (field.shape) {
      case 'shared':
        return this.str(value as string);
      case 'date': {
        const time = (value as Date).getTime();
        return field.defaultsTo !== undefined && time === (article[field.defaultsTo] as Date).getTime() ? null : time;
      }
      case 'names':
        return (value as readonly string[]).map((t) => this.str(t));
      case 'credits':
        return (value as readonly Credit[]).map((c) => this.credit(c));
      case 'images':
        return (value as readonly Image[]).map((i): EncodedImage => {
          const encoded: EncodedImage = [i.url, this.str(i.type), i.caption ?? null, this.opt(i.credit), i.alt ?? null, i.width ?? null, i.height ?? null, i.bytes ?? null, i.thumbnail ?? null];
          // Rights are rare: left off the tuple when absent, so most images cost no more than before.
          if (i.rights !== undefined) encoded.push([i.rights.syndicate ?? null, i.rights.terms ?? null]);
          return encoded;
        });
      default:
        return value;
    }
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
    if (!Array.isArray(record) || record.length !== FILE_SLOTS + COLUMNS.length) throw new Error('malformed record');
    const [name, size, mtimeMs, ctimeMs, ino, warnings] = record;
    if (typeof name !== 'string') throw new Error('malformed record');
    const version: FileVersion = { size, mtimeMs, ctimeMs, ino };
    // Same properties in the same order as the loader (ARTICLE_FIELDS), body where it has it.
    const a: Record<string, unknown> = {};
    let column = FILE_SLOTS;
    for (const field of ARTICLE_FIELDS) {
      if (field.shape === 'body') addLazyBody(a, body(name, version));
      else if (field.shape === 'source') a.source = source;
      else this.field(field, record[column++], a);
    }
    const problems = (warnings ?? []).map(([field, problem]) => new ArticleError(source, field ?? undefined, problem));
    return { name, version, article: a as unknown as Article, warnings: problems };
  }

  /** Sets `field` of `a` from its encoded value; throws on a value IndexEncoder cannot have written. */
  private field(field: ArticleField, value: unknown, a: Record<string, unknown>): void {
    if (value === null) {
      if (field.defaultsTo !== undefined) a[field.key] = a[field.defaultsTo];
      else if (field.optional !== true) throw new Error(`malformed record (no ${field.key})`);
      return;
    }
    switch (field.shape) {
      case 'text':
        if (typeof value !== 'string') throw new Error(`malformed record (${field.key})`);
        a[field.key] = value;
        return;
      case 'shared':
        a[field.key] = this.str(value);
        return;
      case 'date':
        if (typeof value !== 'number') throw new Error(`malformed record (${field.key})`);
        a[field.key] = new Date(value);
        return;
      case 'names':
        a[field.key] = (value as unknown[]).map((t) => this.str(t));
        return;
      case 'credits':
        a[field.key] = (value as number[]).map((c) => {
          const credit = this.credits[c];
          if (credit === undefined) throw new Error(`bad credit reference ${c}`);
          return credit;
        });
        return;
      case 'images':
        a[field.key] = (value as EncodedImage[]).map((i) => this.image(i));
        return;
      default:
        throw new Error(`malformed record (${field.key} is never indexed)`);
    }
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
