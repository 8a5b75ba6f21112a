import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import type { Article } from '../../src/model/types.js';
import { ARTICLE_COLUMNS, articleCopyText, copyLine, ENTRY_COLUMNS } from '../../src/store/postgres/copy-text.js';
import { articleRow, entryRows, mayBeUnstorable, unstorableProblems } from '../../src/store/postgres/rows.js';
import { createChunkReader } from '../../src/store/postgres/sync-read.js';
import { makeRecord } from '../helpers/builders.js';

/** Every character COPY's text format escapes, JSON escapes, and some neither touches. */
const AWKWARD = 'tab\there, back\\slash \\N, new\nline, return\r, quote " and 한국어 \u2028 😀';

const parse = (record: Record<string, unknown>, shownAs = 'data/articles/x.json'): Article => {
  const parsed = parseArticle(record, shownAs, { language: 'en' });
  if (parsed.article === undefined) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.article;
};

describe('COPY text built on the reading threads', () => {
  const records = [
    makeRecord(),
    makeRecord({ id: 'awkward', headline: AWKWARD, summary: AWKWARD, body: `<p>${AWKWARD.replace(/[<>&]/g, '')}</p>`, tags: ['Tag \\ 1', 'Tab\tTag', 'Tab\tTag'], section: undefined }),
    makeRecord({ id: 'draft', status: 'draft', translationOf: 'test-story' }),
  ];

  it.each(records.map((record) => [record.id, record] as const))('equals the line of the row object for %s, entries included', (_, record) => {
    const article = parse(record);
    const text = articleCopyText(article, record, 'hash\\1', 'x.json');
    expect(text.article).toBe(copyLine(ARTICLE_COLUMNS, articleRow(article, record, 'hash\\1', 'x.json')));
    expect(text.entries).toBe(entryRows(article).map((entry) => copyLine(ENTRY_COLUMNS, entry)).join(''));
    expect(text.recordJson).toBe(JSON.stringify(record));
  });

  it('finds every string the database refuses from the JSON text alone (never a miss; a hit is checked field by field)', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uD83D\uDE00', '\\', 'u', '0', 'd', '8'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) });
    fc.assert(
      fc.property(text, text, (value, key) => {
        const record = { [key]: value, list: [value] };
        if (unstorableProblems(record, undefined, 'x').length > 0) expect(mayBeUnstorable(JSON.stringify(record))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(mayBeUnstorable(JSON.stringify({ a: 'paired 😀 and \\u0000 typed out' }))).toBe(true);
    expect(mayBeUnstorable(JSON.stringify({ a: 'paired 😀, tab\t, é' }))).toBe(false);
  });
});

describe('a chunk read for sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-copy-text-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries each article as COPY bytes in one transferable buffer, and refuses what the database cannot store by field', () => {
    mkdirSync(join(dir, 'articles'));
    const good = makeRecord({ id: 'good', headline: AWKWARD });
    writeFileSync(join(dir, 'articles', 'a-good.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'articles', 'b-nul.json'), JSON.stringify(makeRecord({ id: 'nul', headline: 'a\u0000b' })));
    writeFileSync(join(dir, 'articles', 'c-lone.json'), JSON.stringify(makeRecord({ id: 'lone', summary: 'x\uD800y' })));
    const job = { dataDir: dir, names: ['a-good.json', 'b-nul.json', 'c-lone.json'], language: 'en', maxBytes: 1e6, known: {} };
    const { reads, buffer } = createChunkReader(job)(0);
    const [a, b, c] = reads;
    expect(a?.article).not.toHaveProperty('body');
    expect(a?.copy?.article.buffer).toBe(buffer);
    const shown = `${dir.split('/').pop()}/articles`;
    const expected = articleCopyText(parse(good, `${shown}/a-good.json`), good, a?.hash ?? '', 'a-good.json');
    expect(Buffer.from(a?.copy?.article ?? []).toString()).toBe(expected.article);
    expect(Buffer.from(a?.copy?.entries ?? []).toString()).toBe(expected.entries);
    expect(buffer.byteLength).toBe(Buffer.byteLength(expected.article + expected.entries));
    expect(b?.errors).toEqual([{ file: `${shown}/b-nul.json`, field: 'headline', problem: 'contains the character U+0000, which the database cannot store' }]);
    expect(c?.errors).toEqual([{ file: `${shown}/c-lone.json`, field: 'summary', problem: 'contains an unpaired UTF-16 surrogate, which the database cannot store' }]);
    expect(b?.copy).toBeUndefined();
  });
});
