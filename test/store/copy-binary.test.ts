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
import { articleRow, entryRows } from '../../src/store/postgres/rows.js';
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
    const values = articleCopyValues(article, record, JSON.stringify(record), 'hash\\1', 'x.json');
    expect(encode([values.article], ARTICLE_TYPES)).toEqual(encode([articleRowValues(articleRow(article, record, JSON.stringify(record), 'hash\\1', 'x.json'))], ARTICLE_TYPES));
    expect(encode(values.entries, ENTRY_TYPES)).toEqual(encode(entryRows(article).map((entry) => ENTRY_COLUMNS.map((column) => entry[column])), ENTRY_TYPES));
  });

  it('writes instants as microseconds since 2000 (big-endian, signed), text and JSON as UTF-8, NULL as length -1', () => {
    const bytes = encode([[new Date('1999-12-31T23:59:59.999Z'), '2000-01-01T00:00:01Z', 'é', null]], ['timestamptz', 'timestamptz', 'jsonb', 'text']);
    expect(bytes.toString('hex')).toBe(['0004', '00000008', 'fffffffffffffc18', '00000008', '00000000000f4240', '00000003', '01c3a9', 'ffffffff'].join(''));
  });
});

describe('a chunk read for sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-copy-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries each article as COPY rows in two transferable buffers, U+0000 and lone surrogates removed as the loader removes them', () => {
    mkdirSync(join(dir, 'articles'));
    const good = makeRecord({ id: 'good', headline: AWKWARD });
    writeFileSync(join(dir, 'articles', 'a-good.json'), `${JSON.stringify(good, null, 1)}\n`);
    writeFileSync(join(dir, 'articles', 'b-nul.json'), JSON.stringify(makeRecord({ id: 'nul', headline: 'a\u0000b' })));
    writeFileSync(join(dir, 'articles', 'c-lone.json'), JSON.stringify(makeRecord({ id: 'lone', summary: 'x\uD800y' })));
    const job = { dataDir: dir, names: ['a-good.json', 'b-nul.json', 'c-lone.json'], language: 'en', maxBytes: 1e6, known: {} };
    const { reads, buffers } = createChunkReader(job)(0);
    const [a, b, c] = reads;
    expect(a?.article).not.toHaveProperty('body');
    expect([a?.copy?.article.buffer, a?.copy?.entries.buffer]).toEqual(buffers);
    const shown = `${dir.split('/').pop()}/articles`;
    const expected = articleCopyValues(parse(good, `${shown}/a-good.json`), good, `${JSON.stringify(good, null, 1)}\n`, a?.hash ?? '', 'a-good.json');
    expect(Buffer.from(a?.copy?.article ?? [])).toEqual(encode([expected.article], ARTICLE_TYPES));
    expect(Buffer.from(a?.copy?.entries ?? [])).toEqual(encode(expected.entries, ENTRY_TYPES));
    expect(buffers.map((buffer) => buffer.byteLength)).toEqual([0, 1].map((i) => [a, b, c].reduce((sum, read) => sum + (i === 0 ? (read?.copy?.article.length ?? 0) : (read?.copy?.entries.length ?? 0)), 0)));
    expect([b?.errors, c?.errors]).toEqual([[], []]);
    expect(b?.article?.headline).toBe('ab');
    expect(c?.article?.summary).toBe('xy');
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
