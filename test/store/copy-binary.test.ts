import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/load/article.js';
import type { Article } from '../../src/model/types.js';
import { ARTICLE_TYPES, articleCopyValues, articleRowValues, CopyRows, ENTRY_COLUMNS, ENTRY_TYPES } from '../../src/store/postgres/copy-binary.js';
import { copyRows } from '../../src/store/postgres/copy-rows.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { articleRow, entryRows, mayBeUnstorable, unstorableProblems } from '../../src/store/postgres/rows.js';
import { createChunkReader } from '../../src/store/postgres/sync-read.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();

/** Every character COPY's text format escapes, JSON escapes, and some neither touches. */
const AWKWARD = 'tab\there, back\\slash \\N, new\nline, return\r, quote " and 한국어 \u2028 😀';

const parse = (record: Record<string, unknown>, shownAs = 'data/articles/x.json'): Article => {
  const parsed = parseArticle(record, shownAs, { language: 'en' });
  if (parsed.article === undefined) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.article;
};
const encode = (rows: readonly (readonly (string | Date | null)[])[], types: typeof ARTICLE_TYPES): Buffer => {
  const encoded = new CopyRows(16);
  for (const row of rows) encoded.row(row, types);
  return Buffer.from(encoded.take());
};

describe('COPY rows built on the reading threads', () => {
  const records = [
    makeRecord(),
    makeRecord({ id: 'awkward', headline: AWKWARD, summary: AWKWARD, body: `<p>${AWKWARD.replace(/[<>&]/g, '')}</p>`, tags: ['Tag \\ 1', 'Tab\tTag', 'Tab\tTag'], section: undefined }),
    makeRecord({ id: 'draft', status: 'draft', translationOf: 'test-story', published: '1999-12-31T23:59:59.999Z' }),
  ];

  it.each(records.map((record) => [record.id, record] as const))('are the bytes of the row object for %s, entries included', (_, record) => {
    const article = parse(record);
    const values = articleCopyValues(article, record, 'hash\\1', 'x.json');
    expect(encode([values.article], ARTICLE_TYPES)).toEqual(encode([articleRowValues(articleRow(article, record, 'hash\\1', 'x.json'))], ARTICLE_TYPES));
    expect(encode(values.entries, ENTRY_TYPES)).toEqual(encode(entryRows(article).map((entry) => ENTRY_COLUMNS.map((column) => entry[column])), ENTRY_TYPES));
    expect(values.recordJson).toBe(JSON.stringify(record));
  });

  it('writes instants as microseconds since 2000 (big-endian, signed), text and JSON as UTF-8, NULL as length -1', () => {
    const bytes = encode([[new Date('1999-12-31T23:59:59.999Z'), '2000-01-01T00:00:01Z', 'é', null]], ['timestamptz', 'timestamptz', 'jsonb', 'text']);
    expect(bytes.toString('hex')).toBe(['0004', '00000008', 'fffffffffffffc18', '00000008', '00000000000f4240', '00000003', '01c3a9', 'ffffffff'].join(''));
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
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-copy-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries each article as COPY rows in two transferable buffers, and refuses what the database cannot store by field', () => {
    mkdirSync(join(dir, 'articles'));
    const good = makeRecord({ id: 'good', headline: AWKWARD });
    writeFileSync(join(dir, 'articles', 'a-good.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'articles', 'b-nul.json'), JSON.stringify(makeRecord({ id: 'nul', headline: 'a\u0000b' })));
    writeFileSync(join(dir, 'articles', 'c-lone.json'), JSON.stringify(makeRecord({ id: 'lone', summary: 'x\uD800y' })));
    const job = { dataDir: dir, names: ['a-good.json', 'b-nul.json', 'c-lone.json'], language: 'en', maxBytes: 1e6, known: {} };
    const { reads, buffers } = createChunkReader(job)(0);
    const [a, b, c] = reads;
    expect(a?.article).not.toHaveProperty('body');
    expect([a?.copy?.article.buffer, a?.copy?.entries.buffer]).toEqual(buffers);
    const shown = `${dir.split('/').pop()}/articles`;
    const expected = articleCopyValues(parse(good, `${shown}/a-good.json`), good, a?.hash ?? '', 'a-good.json');
    expect(Buffer.from(a?.copy?.article ?? [])).toEqual(encode([expected.article], ARTICLE_TYPES));
    expect(Buffer.from(a?.copy?.entries ?? [])).toEqual(encode(expected.entries, ENTRY_TYPES));
    expect(buffers.map((buffer) => buffer.byteLength)).toEqual([a?.copy?.article.length, a?.copy?.entries.length]);
    expect(b?.errors).toEqual([{ file: `${shown}/b-nul.json`, field: 'headline', problem: 'contains the character U+0000, which the database cannot store' }]);
    expect(c?.errors).toEqual([{ file: `${shown}/c-lone.json`, field: 'summary', problem: 'contains an unpaired UTF-16 surrogate, which the database cannot store' }]);
    expect(b?.copy).toBeUndefined();
  });
});

describe.skipIf(!available)('binary COPY into PostgreSQL', () => {
  const database = useScratchDatabase();

  it('stores text, JSON, NULL and instants from year 1000 to 9999 exactly', async () => {
    const pool = createPool({ url: database.url() });
    const client = await pool.connect();
    try {
      await client.query('CREATE TABLE t (n text, at timestamptz, doc jsonb, note text)');
      const instants = ['1000-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z', '2024-05-01T01:02:03.456Z', '2038-01-19T03:14:08.001Z', '9999-12-31T23:59:59.999Z'];
      const rows = instants.map((at, i) => {
        const encoded = new CopyRows(8);
        encoded.row([String(i), at, JSON.stringify({ text: AWKWARD, at }), i % 2 === 0 ? AWKWARD : null], ['text', 'timestamptz', 'jsonb', 'text']);
        return encoded.take();
      });
      await copyRows(client, 't', ['n', 'at', 'doc', 'note'], rows);
      const stored = await client.query<{ at: Date; doc: unknown; note: string | null }>('SELECT at, doc, note FROM t ORDER BY n::integer');
      expect(stored.rows).toEqual(instants.map((at, i) => ({ at: new Date(at), doc: { text: AWKWARD, at }, note: i % 2 === 0 ? AWKWARD : null })));
    } finally {
      client.release();
      await pool.end();
    }
  });
});
