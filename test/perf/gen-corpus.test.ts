import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateRecord, tagNames, TAG_COUNT, writeCorpus } from '../../src/cli/gen-corpus.js';
import { parseArticle } from '../../src/load/article.js';
import { parseSite } from '../../src/load/site.js';

describe('gen-corpus', () => {
  it('gives the same record for the same seed and index, and different ones otherwise', () => {
    expect(JSON.stringify(generateRecord(1, 42))).toBe(JSON.stringify(generateRecord(1, 42)));
    expect(JSON.stringify(generateRecord(1, 42))).not.toBe(JSON.stringify(generateRecord(2, 42)));
    expect(generateRecord(1, 42).id).not.toBe(generateRecord(1, 43).id);
  });

  it('writes records the loader accepts, with ~5 KB bodies, several scripts and skewed tags', () => {
    const records = Array.from({ length: 2000 }, (_, i) => generateRecord(7, i));
    const rejected = records.map((r, i) => parseArticle(r, `data/articles/${i}.json`, { language: 'en' })).filter((r) => r.errors.length > 0);
    expect(rejected.map((r) => r.errors.map((e) => e.message))).toEqual([]);
    const bodyBytes = records.map((r) => Buffer.byteLength(String(r.body))).sort((a, b) => a - b);
    expect(bodyBytes[1000]).toBeGreaterThan(4500);
    expect(bodyBytes[1000]).toBeLessThan(6500);
    expect(new Set(records.map((r) => r.language))).toEqual(new Set(['en', 'ko', 'zh-Hans', 'ug', 'bo', 'my']));
    const tags = tagNames();
    expect(new Set(tags).size).toBe(TAG_COUNT);
    const share = (tag: string) => records.filter((r) => (r.tags as string[]).includes(tag)).length / records.length;
    expect(share(tags[0] as string)).toBeGreaterThan(0.2);
    expect(share(tags[0] as string)).toBeLessThan(0.3);
    expect(share(tags[TAG_COUNT - 1] as string)).toBeLessThan(0.02);
    expect(records.every((r) => Array.isArray(r.credits) && (r.credits as unknown[]).length > 0)).toBe(true);
  });

  it('writes site.json and one file per article, and refuses to mix with an existing corpus', () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-corpus-'));
    try {
      writeCorpus({ count: 25, out, seed: 3 });
      expect(readdirSync(join(out, 'articles'))).toHaveLength(25);
      const site = parseSite(JSON.parse(readFileSync(join(out, 'site.json'), 'utf8')), 'site.json', { fallbackBaseUrl: 'http://localhost:3000' });
      expect(site.feedSize).toBe(50);
      expect(() => writeCorpus({ count: 5, out, seed: 3 })).toThrow(/--force/);
      writeCorpus({ count: 5, out, seed: 3, force: true });
      expect(readdirSync(join(out, 'articles'))).toHaveLength(5);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
