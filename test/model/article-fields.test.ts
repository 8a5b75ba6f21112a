import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseArticle, RECORD_FIELDS } from '../../src/load/article.js';
import { ARTICLE_FIELDS, ARTICLE_KEYS, type ArticleField } from '../../src/model/article-fields.js';
import { sameArticle } from '../../src/model/same-article.js';
import type { Article } from '../../src/model/types.js';
import { IndexDecoder, IndexEncoder } from '../../src/store/files/index-codec.js';
import { articleFromJson, articleData } from '../../src/store/postgres/rows.js';
import { editedRecord, EVERY_FIELD_RECORD, FIELD_EDITS } from '../helpers/every-field.js';

const SOURCE = 'data/articles/every-field.json';
const VERSION = { size: 1, mtimeMs: 2, ctimeMs: 3, ino: 4 };

function load(record: Readonly<Record<string, unknown>>): Article {
  const result = parseArticle(record, SOURCE, { language: 'en' });
  if (result.article === undefined) throw new Error(result.errors.map((e) => e.message).join('; '));
  expect(result.warnings).toEqual([]);
  return result.article;
}

/** Through the files index: encoded, JSON text, decoded against the tables it was written with. */
function throughIndex(article: Article): Article {
  const encoder = new IndexEncoder();
  const encoded = JSON.parse(JSON.stringify([encoder.encode('every-field.json', VERSION, article, [])]));
  const decoder = new IndexDecoder(JSON.parse(JSON.stringify(encoder.tables())));
  return decoder.decode(encoded[0], SOURCE, () => ({ produce: () => article.body })).article;
}

/** Through PostgreSQL's article column: jsonb keeps no key order (it sorts keys, shortest first). */
function throughJsonb(article: Article): Article {
  const data = articleData(article);
  const sorted = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify(data)) as Record<string, unknown>).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1)));
  return articleFromJson(sorted);
}

/** What a reader of the article sees: every key in order, dates as instants, the body read. */
const shown = (article: Article): string => JSON.stringify({ ...article, body: article.body });

const schema = JSON.parse(readFileSync(new URL('../../data/article.schema.json', import.meta.url), 'utf8')) as {
  required: string[];
  properties: Record<string, { maxLength?: number }>;
};

describe('the field table (model/article-fields.ts) and the places derived from it', () => {
  // vitest strips types, so this runs the type check of FieldTableMatchesArticle itself: a field added
  // to Article and not to the table (or the other way round) fails here, not only in `npm run build`.
  it('agrees with the Article type (tsc over model/article-fields.ts and model/types.ts)', () => {
    const file = fileURLToPath(new URL('../../src/model/article-fields.ts', import.meta.url));
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2023.d.ts'], types: [] };
    const program = ts.createProgram({ rootNames: [file], options });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(program.getSourceFiles().map((f) => f.fileName)).toContainEqual(expect.stringMatching(/src\/model\/types\.ts$/));
    expect(problems).toEqual([]);
  });

  it('names each field once', () => {
    expect(new Set(ARTICLE_KEYS).size).toBe(ARTICLE_FIELDS.length);
  });

  it('data/article.schema.json has a property for every record field and no other, and requires exactly the required ones', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...RECORD_FIELDS].sort());
    expect([...schema.required].sort()).toEqual(ARTICLE_FIELDS.filter((f: ArticleField) => f.required === true).map((f) => f.key).sort());
  });

  it('gives each plain text field the schema maxLength the loader enforces', () => {
    for (const field of ARTICLE_FIELDS as readonly ArticleField[]) {
      if (field.plain === undefined) continue;
      expect(schema.properties[field.key]?.maxLength, field.key).toBe(field.plain.max);
      const tooLong = parseArticle({ ...EVERY_FIELD_RECORD, [field.key]: 'x'.repeat(field.plain.max + 1) }, SOURCE, { language: 'en' });
      expect(tooLong.errors.map((e) => e.field), field.key).toContain(field.key);
    }
  });

  it('the fixture sets every field of the table (optional ones included), and the loader builds them in table order', () => {
    expect(Object.keys(FIELD_EDITS).sort()).toEqual(ARTICLE_KEYS.filter((key) => key !== 'source').sort());
    for (const key of Object.keys(FIELD_EDITS)) expect(EVERY_FIELD_RECORD, key).toHaveProperty(key);
    expect(Object.keys(load(EVERY_FIELD_RECORD))).toEqual(ARTICLE_KEYS);
  });

  it('the files index and PostgreSQL give back the loader\'s article: same keys in the same order, same values', () => {
    const article = load(EVERY_FIELD_RECORD);
    for (const [name, copy] of [['files index', throughIndex(article)], ['jsonb', throughJsonb(article)]] as const) {
      expect(shown(copy), name).toBe(shown(article));
      expect(sameArticle(copy, article), name).toBe(true);
      expect(copy.published, name).toBeInstanceOf(Date);
    }
  });

  it.each(Object.keys(FIELD_EDITS) as (keyof typeof FIELD_EDITS)[])('an edit of only %s is a different article, kept as such by the files index and PostgreSQL', (key) => {
    const before = load(EVERY_FIELD_RECORD);
    const after = load(editedRecord(key));
    expect(sameArticle(before, after)).toBe(false);
    expect(sameArticle(after, load(editedRecord(key)))).toBe(true);
    for (const copy of [throughIndex(after), throughJsonb(after)]) {
      expect(shown(copy)).toBe(shown(after));
      expect(sameArticle(copy, before)).toBe(false);
    }
  });

  it('an edit of the source (another file, same record) is the same article', () => {
    const article = load(EVERY_FIELD_RECORD);
    expect(sameArticle(article, { ...article, body: article.body, source: 'data/articles/elsewhere.json' })).toBe(true);
  });

  it('the files index refuses a record with a column missing (it is rebuilt, not misread)', () => {
    const encoder = new IndexEncoder();
    const encoded = encoder.encode('every-field.json', VERSION, load(EVERY_FIELD_RECORD), []);
    const decoder = new IndexDecoder(encoder.tables());
    expect(() => decoder.decode(encoded.slice(0, -1) as typeof encoded, SOURCE, () => ({ produce: () => '' }))).toThrow(/malformed/);
  });
});
