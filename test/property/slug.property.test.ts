import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { MAX_SLUG_BYTES, slugify } from '../../src/model/slug.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { builtFile } from '../server/build.js';
import { feedPath } from '../../src/model/feed-filter.js';
import { FEED_FILE_NAMES } from '../../src/model/types.js';

/**
 * Tag, section and author slugs: every non-empty name has one (a story is
 * never refused for its metadata's script), distinct names get distinct
 * slugs (names that differ only in case, width or a word break, a hyphen or
 * a run holding a space, between two words are one name), no slug is over
 * MAX_SLUG_BYTES, slugs are the same in a fresh
 * process, and the filtered feed's URL built from a slug serves that name.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SYMBOLS = ['🚀', '★', '☆', '♥', '→', '+', '/', '\\', '.', '..', '%', '?', '#', '~', '-', '_', '!', '&', '<', '>', '"', "'", ' ', '  ', '\u00A0', '‼', '€', '©', '👍🏽', '🇰🇷', '\u200D', '〒', '·', '%2F', '~20'];
const LETTERS = ['a', 'Z', '7', '북', 'ئ', 'བོ', 'မ', '中', 'é', 'Ω', '٣'];
const symbolName = fc.array(fc.constantFrom(...SYMBOLS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
const anyName = fc.array(fc.oneof(fc.constantFrom(...SYMBOLS), fc.constantFrom(...LETTERS), fc.string({ unit: 'grapheme', maxLength: 3 })), { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
/** What the loader keeps of a single-line field: folded white space, trimmed; the slug's idea of "the same name" adds NFKC and case. */
const normal = (name: string) => name.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' ');
/** Names the rule counts as one: the same normal form, or words alike with only word breaks between them (docs/slugs.md). */
const WORDS = /^[\p{L}\p{M}\p{N}]+(?:(?:-+|['’ʼ]|[^\p{L}\p{M}\p{N}]* [^\p{L}\p{M}\p{N}]*)[\p{L}\p{M}\p{N}]+)*$/u;
const words = (name: string) => (WORDS.test(normal(name)) ? normal(name).split(/[^\p{L}\p{M}\p{N}]+/u).join('-') : undefined);
const hasLetterOrDigit = (name: string) => /[\p{L}\p{M}\p{N}]/u.test(name.normalize('NFKC'));

describe('slugs of tags, sections and names', () => {
  it('pinned: letters as before, names without letters in a readable, percent-encodable form', () => {
    const pinned: Record<string, string> = {
      Korea: 'korea', 'Tag 7': 'tag-7', '북한': '북한', 'Min-seo Park': 'min-seo-park',
      '🚀': '🚀', '★': '★', '★ ★': '★~20★', '...': '~2e~2e~2e', '+/-': '+~2f-', '100%': '100~hg5kb1dj',
      C: 'c', 'C++': 'c~6f9vwicb', 'c++': 'c~6f9vwicb', 'C#': 'c~qjz136ob', 'Markets & Money': 'markets-money', 'Korea, North': 'korea-north', 'AT&T': 'at-t~rgnnwvlk', "O'Brien": 'o-brien', 'O’Brien': 'o-brien', '%': '~25', '~': '~7e', '#?': '~23~3f',
    };
    expect(Object.fromEntries(Object.keys(pinned).map((name) => [name, slugify(name)]))).toEqual(pinned);
  });

  it('every non-empty name has a slug; a name without letters never shares one with a name with letters', () => {
    fc.assert(
      fc.property(anyName, anyName, (a, b) => {
        if (normal(a) !== '') expect(slugify(a)).not.toBe('');
        if (normal(a) !== '' && normal(b) !== '' && hasLetterOrDigit(a) !== hasLetterOrDigit(b)) expect(slugify(a)).not.toBe(slugify(b));
      }),
      { numRuns: RUNS },
    );
  });

  it('distinct names, distinct slugs, each at most MAX_SLUG_BYTES (issue 24: C, C++ and C# shared "c")', () => {
    fc.assert(
      fc.property(anyName, anyName, (a, b) => {
        if (normal(a) === '' || normal(b) === '') return;
        expect(Buffer.byteLength(slugify(a))).toBeLessThanOrEqual(MAX_SLUG_BYTES);
        const same = normal(a) === normal(b) || (words(a) !== undefined && words(a) === words(b));
        expect(slugify(a) === slugify(b), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(same);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('names without letters: distinct names, distinct slugs; and no slug is a "." or ".." segment or holds a path separator', () => {
    fc.assert(
      fc.property(symbolName, symbolName, (a, b) => {
        if (normal(a) === '' || normal(b) === '' || hasLetterOrDigit(a) || hasLetterOrDigit(b)) return;
        if (normal(a) !== normal(b)) expect(slugify(a)).not.toBe(slugify(b));
        expect(slugify(a)).not.toMatch(/^\.{1,2}$|[/\\]/);
      }),
      { numRuns: RUNS },
    );
  });

  it('are the same in a fresh process (no state, no randomness)', () => {
    const names = fc.sample(fc.oneof(anyName, symbolName), { numRuns: 300, seed: 11 }).filter((n) => normal(n) !== '');
    const built = builtFile('src/model/slug.ts');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `const { slugify } = await import(${JSON.stringify(built)}); process.stdout.write(JSON.stringify(JSON.parse(process.argv[1]).map(slugify)));`, JSON.stringify(names)], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(names.map((n) => slugify(n)));
  }, 120_000);

  it('the filtered feed URL made from a slug serves that tag, section and author', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.oneof(symbolName, anyName), { minLength: 1, maxLength: 12, selector: (n) => slugify(n) }), async (names) => {
        const usable = names.filter((n) => normal(n) !== '' && n.length <= 200);
        if (usable.length === 0) return;
        const records = usable.map((name, i) => makeRecord({ id: `story-${i}`, tags: [name], section: name, credits: [{ name, role: 'reporter' }] }));
        const snapshot = makeSnapshot(records);
        expect(snapshot.rejected.map((e) => e.message)).toEqual([]);
        const server = await listen(createApp({ store: createSnapshotStore(snapshot), clock: () => new Date('2030-01-01T00:00:00Z'), log: () => {} }));
        try {
          for (const [i, name] of usable.entries()) {
            for (const kind of ['tag', 'section', 'author'] as const) {
              const folder = feedPath({ kind, slug: slugify(name) });
              const res = await fetch(`${server.url}${folder}/${FEED_FILE_NAMES.json}`);
              expect(res.status, folder).toBe(200);
              const feed = (await res.json()) as { items: { id: string }[] };
              expect(feed.items.map((item) => item.id.replace(/^.*:/, '')), folder).toEqual([`story-${i}`]);
              expect((await fetch(`${server.url}${folder}/`)).status, `page ${folder}`).toBe(200);
            }
          }
        } finally {
          await server.close();
        }
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 15)) },
    );
  }, 120_000);
});
