import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportSite, filePathFor } from '../../src/cli/export.js';
import { createApp } from '../../src/http/app.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/**
 * Issue 24: tags that pass the loader (200 characters or fewer) made slugs of
 * kilobytes (NFKC expands U+FDFA to 18 letters, U+3316 to 6) or of more than
 * 255 bytes (90 Hangul syllables): their OPML URLs answered 414 or 431 and
 * `wirefeed export` died with ENAMETOOLONG, leaving a partial export; and
 * `C`, `C++` and `C#` shared one feed. Every feed the OPML lists must answer
 * 200 at a sane length, be written by an export, and distinct tags must have
 * distinct feeds.
 */
const RUNS = Math.max(6, Math.round(Number(process.env.FUZZ_RUNS ?? 300) / 25));
const NOW = new Date('2030-01-01T00:00:00Z');
/** Longest feed URL path allowed here: a 120-byte slug percent-encoded is 360 characters. */
const MAX_PATH = 400;

const repeat = (unit: fc.Arbitrary<string>, max = 200) => fc.array(unit, { minLength: 1, maxLength: max }).map((parts) => parts.join(''));
const hangul = fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCodePoint(c));
const tagName = fc.oneof(
  repeat(hangul),
  repeat(fc.constantFrom('\uFDFA', '\u3316', ' ')),
  repeat(fc.constantFrom('.', '+', '#', '~', '%', '/', '★', '🚀', ' ', '-', '&')),
  repeat(fc.constantFrom('a', 'B', '7', ' ', '-', '+', '&', '.', 'é')),
  fc.constantFrom('C', 'C++', 'C#', 'c#', 'Markets & Money', 'AT&T', '가'.repeat(90), '\uFDFA'.repeat(200), '\u3316'.repeat(200), '.'.repeat(200)),
).filter((name) => name.trim() !== '');

/** xmlUrl of every outline, as paths. */
function listedFeeds(opml: string, base: string): string[] {
  return [...opml.matchAll(/xmlUrl="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&').slice(base.length));
}

describe('every feed listed can be fetched and exported', () => {
  it('C, C++ and C# get three feeds, each titled with its own name and holding its own story', async () => {
    const names = ['C', 'C++', 'C#'];
    const snapshot = makeSnapshot(names.map((tag, i) => makeRecord({ id: `story-${i}`, tags: [tag] })));
    const server = await listen(createApp({ store: createSnapshotStore(snapshot), clock: () => NOW, log: () => {} }));
    try {
      const opml = await (await fetch(`${server.url}/feeds.opml`)).text();
      const tagFeeds = listedFeeds(opml, 'https://feeds.example.org').filter((path) => path.startsWith('/tags/'));
      const seen = new Map<string, string[]>();
      for (const path of tagFeeds) {
        const feed = (await (await fetch(`${server.url}${path.replace(/rss\.xml$/, 'feed.json')}`)).json()) as { title: string; items: { id: string }[] };
        seen.set(feed.title.replace(/^.*Tag: /, ''), feed.items.map((item) => item.id.replace(/^.*:/, '')));
      }
      expect(Object.fromEntries(seen)).toEqual({ C: ['story-0'], 'C++': ['story-1'], 'C#': ['story-2'] });
    } finally {
      await server.close();
    }
  });

  it('a record tagged both C and C++ keeps both tags', async () => {
    const snapshot = makeSnapshot([makeRecord({ tags: ['C', 'C++', 'c++'] })]);
    expect(snapshot.articles[0]?.tags).toEqual(['C', 'C++']);
  });

  it('generated tags (Hangul, U+FDFA, U+3316, punctuation, long names): every OPML feed answers 200 and is exported', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(tagName, { minLength: 1, maxLength: 4 }), async (tags) => {
        const snapshot = makeSnapshot(tags.map((tag, i) => makeRecord({ id: `story-${i}`, tags: [tag], section: tag.slice(0, 100), credits: [{ name: tag.slice(0, 100), role: 'reporter' }] })));
        expect(snapshot.rejected.map((e) => e.message)).toEqual([]);
        const app = createApp({ store: createSnapshotStore(snapshot), clock: () => NOW, log: () => {} });
        const server = await listen(app);
        const out = mkdtempSync(join(tmpdir(), 'wirefeed-listed-'));
        try {
          const opml = await (await fetch(`${server.url}/feeds.opml`)).text();
          const listed = listedFeeds(opml, 'https://feeds.example.org');
          for (const path of listed) {
            expect(path.length, path).toBeLessThanOrEqual(MAX_PATH);
            expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
          }
          const result = await exportSite({ app, store: createSnapshotStore(snapshot), now: NOW, outDir: out });
          for (const path of listed) {
            expect(result.files.get(path), path).toBe(filePathFor(path));
            expect(statSync(join(out, ...filePathFor(path).split('/'))).size, path).toBeGreaterThan(0);
          }
        } finally {
          rmSync(out, { recursive: true, force: true });
          await server.close();
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
