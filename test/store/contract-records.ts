import { parseArticle } from '../../src/load/article.js';
import { ArticleError } from '../../src/load/errors.js';
import type { Site } from '../../src/model/types.js';
import { buildSnapshot, type FileRecord, type Snapshot } from '../../src/store/snapshot.js';
import { makeRecord } from '../helpers/builders.js';

/** A fixed instant the records are dated around. */
export const CONTRACT_NOW = new Date('2026-06-01T12:00:00Z');

/**
 * Records that exercise every rule a backend must get the same: ties on
 * `published` broken by ids that differ only around '-', drafts, embargoes
 * (some released exactly at an instant the tests use), `updated` after
 * `published` (for `since`), names spelled two ways for one slug (the
 * newest visible spelling is shown), a person credited twice, non-Latin
 * tags. Deterministic (a fixed linear congruential sequence).
 */
export function contractRecords(count = 60): Record<string, unknown>[] {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const ids = ['a-b', 'ab', 'a0', 'a-0', 'a', 'b-1', 'b1'];
  const sections = ['Korea', 'KOREA', 'World', 'Économie', undefined];
  const tags = ['Tag A', 'tag a', 'Elections', '北韓', 'Économie', 'Seoul Metro', 'ئۇيغۇر'];
  const languages = ['en', 'ko', 'en-GB', 'EN-gb', 'ug'];
  const people = ['Reporter One', 'Writer Three', 'Kim Min-ji', 'Zoë Ortiz'];
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const id = i < ids.length ? (ids[i] as string) : `story-${i}`;
    // Twelve distinct instants for 60 records: many ties. Two records are embargoed past CONTRACT_NOW.
    const hour = i < ids.length ? 0 : i % 29 === 0 ? 50 + next(3) : next(12);
    const published = new Date(CONTRACT_NOW.getTime() - 48 * 3600_000 + hour * 3600_000);
    const updated = new Date(published.getTime() + next(3) * 1800_000);
    const section = sections[next(sections.length)];
    const person = people[next(people.length)] as string;
    records.push(
      makeRecord({
        id,
        url: `https://news.example.org/${id}.html`,
        headline: `Story ${i}`,
        published: published.toISOString(),
        updated: updated.toISOString(),
        language: languages[next(languages.length)],
        section,
        tags: Array.from(new Set([tags[next(tags.length)] as string, tags[next(tags.length)] as string])),
        credits: [
          { name: person, role: 'reporter' },
          { name: person, role: 'photographer' },
          { name: people[next(people.length)] as string, role: 'writer' },
        ],
        body: `<p>Body ${i} <a href="/rel/${i}">link</a><script>alert(1)</script></p>`,
        status: i % 9 === 4 ? 'draft' : 'published',
      }),
    );
  }
  return records;
}

/** A snapshot of `records`, each parsed as the file `data/articles/<id>.json`: what the ingest API names it. */
export function snapshotOf(records: readonly Record<string, unknown>[], site: Site): Snapshot {
  const files: FileRecord[] = records.map((record) => {
    const name = `${String(record.id)}.json`;
    const shownAs = `data/articles/${name}`;
    const result = parseArticle(record, shownAs, { language: site.language });
    if (!result.article) throw new Error(result.errors.map((e: ArticleError) => e.message).join('; '));
    return { name, shownAs, article: result.article, errors: result.errors, warnings: result.warnings };
  });
  return buildSnapshot(site, files, 1);
}
