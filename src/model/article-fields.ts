import type { Article } from './types.js';

/**
 * How a field's value is held. The shape decides, once per shape, how the
 * field is compared (same-article.ts), kept in the files index
 * (store/files/index-codec.ts), shared across a load (load/intern.ts) and
 * revived from PostgreSQL's JSONB (store/postgres/rows.ts), so a new field
 * of a known shape needs none of them edited.
 */
export type FieldShape =
  /** A string kept as written (the files index writes it inline). */
  | 'text'
  /** A string many articles share (a language, a section): one copy per value in a load and in the index's string table. */
  | 'shared'
  | 'date'
  /** A list of shared strings (tags). */
  | 'names'
  | 'credits'
  | 'images'
  /** The sanitised HTML body: read lazily from its file (load/lazy-body.ts), never kept in the files index. */
  | 'body'
  /** The file the article came from: not in the record, shown by no feed, so never compared. */
  | 'source';

export interface ArticleField {
  readonly key: keyof Article;
  readonly shape: FieldShape;
  /** May be absent from an Article (FieldTableMatchesArticle checks it against Article's `?`). */
  readonly optional?: true;
  /** A record must give it (data/article.schema.json's `required`; test/model/article-fields.test.ts compares them). */
  readonly required?: true;
  /** The field whose value it takes when the record gives none (`updated` is `published`); the files index then stores nothing. */
  readonly defaultsTo?: keyof Article;
  /** Plain text the loader reads with no rule of its own: one line or several, at most `max` characters (the schema's maxLength). */
  readonly plain?: { readonly lines: 'one' | 'many'; readonly max: number };
}

/**
 * Every field of an Article, in the order the loader builds it: the one
 * table a new record field is added to (see docs/architecture.md, "How to
 * add a field"). Key order matters beyond looks: anything that serialises
 * or spreads an article (the ingest API's JSON, WebSub's comparison) must
 * see the same object from the loader, the files index and PostgreSQL.
 */
export const ARTICLE_FIELDS = [
  { key: 'id', shape: 'text', required: true },
  { key: 'url', shape: 'text', required: true },
  { key: 'headline', shape: 'text', required: true, plain: { lines: 'one', max: 1000 } },
  { key: 'summary', shape: 'text', optional: true, plain: { lines: 'many', max: 100_000 } },
  { key: 'body', shape: 'body', required: true },
  { key: 'published', shape: 'date', required: true },
  { key: 'updated', shape: 'date', defaultsTo: 'published' },
  { key: 'timezone', shape: 'shared', optional: true },
  { key: 'language', shape: 'shared' },
  { key: 'service', shape: 'shared', optional: true, plain: { lines: 'one', max: 200 } },
  { key: 'section', shape: 'shared', optional: true, plain: { lines: 'one', max: 200 } },
  { key: 'tags', shape: 'names' },
  { key: 'credits', shape: 'credits' },
  { key: 'images', shape: 'images' },
  { key: 'status', shape: 'shared' },
  { key: 'translationOf', shape: 'text', optional: true },
  { key: 'source', shape: 'source' },
] as const satisfies readonly ArticleField[];

export type ArticleKey = (typeof ARTICLE_FIELDS)[number]['key'];

/** Article's keys in the table's order. */
export const ARTICLE_KEYS: readonly ArticleKey[] = ARTICLE_FIELDS.map((field) => field.key);

type OptionalKeyOf<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/**
 * Fails to compile when the table and the Article type disagree: a field in
 * one and not the other, or optional in one only.
 */
export type FieldTableMatchesArticle = [
  Holds<Same<ArticleKey, keyof Article>>,
  Holds<Same<Extract<(typeof ARTICLE_FIELDS)[number], { optional: true }>['key'], OptionalKeyOf<Article>>>,
];

/**
 * An Article from its field values, keys in the table's order: absent
 * (undefined) optional fields left out, a field with `defaultsTo` given
 * that field's value when absent. Values are taken as they are.
 */
export function articleFromValues(values: Readonly<Partial<Record<ArticleKey, unknown>>>): Article {
  const article: Record<string, unknown> = {};
  for (const field of ARTICLE_FIELDS) {
    const value = values[field.key] ?? ('defaultsTo' in field ? values[field.defaultsTo] : undefined);
    if (value !== undefined) article[field.key] = value;
  }
  return article as unknown as Article;
}
