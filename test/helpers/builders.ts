import { parseArticle } from '../../src/load/article.js';
import { parseSite } from '../../src/load/site.js';
import type { Article, Site } from '../../src/model/types.js';
import { buildSnapshot, type FileRecord, type Snapshot } from '../../src/store/snapshot.js';

/** A valid article record (the on-disk JSON shape); override any field. A fresh object per call. */
export function makeRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'test-story',
    url: 'https://news.example.org/test/story.html',
    headline: 'Test headline',
    summary: 'Test summary.',
    body: '<p>Test body.</p>',
    published: '2024-05-01T10:00:00+09:00',
    language: 'en',
    service: 'Korean',
    section: 'Korea',
    tags: ['Test tag'],
    credits: [
      { name: 'Reporter One', role: 'reporter', organization: 'the Korean Service' },
      { name: 'Translator Two', role: 'translator' },
      { name: 'Writer Three', role: 'writer' },
    ],
    images: [
      { url: 'https://media.example.org/test.jpg', caption: 'A caption.', credit: 'Agency', alt: 'Alt text', width: 800, height: 600, type: 'image/jpeg', bytes: 1234 },
    ],
    ...overrides,
  };
}

export const SITE_RECORD = {
  title: 'Test Newsroom',
  description: 'Feeds for tests',
  link: 'https://news.example.org/',
  language: 'en',
  copyright: '© Test',
  icon: 'https://news.example.org/icon.png',
  logo: 'https://news.example.org/logo.png',
  feedSize: 50,
  idAuthority: 'news.example.org,2019',
};

export function makeSite(overrides: Record<string, unknown> = {}): Site {
  return parseSite({ ...SITE_RECORD, ...overrides }, 'data/site.json', { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' });
}

/** An Article from a record, failing the test with the errors if the record is invalid. */
export function makeArticle(overrides: Record<string, unknown> = {}, file = 'data/articles/test.json'): Article {
  const result = parseArticle(makeRecord(overrides), file, { language: 'en' });
  if (!result.article) throw new Error(`fixture record is invalid: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.article;
}

/** A snapshot holding these records (each one file), invalid ones reported as rejected. */
export function makeSnapshot(records: readonly Record<string, unknown>[], site: Site = makeSite(), version = 1): Snapshot {
  const files: FileRecord[] = records.map((record, i) => {
    const name = `${String(i).padStart(4, '0')}-${String(record.id ?? 'record')}.json`;
    const shownAs = `data/articles/${name}`;
    const result = parseArticle(record, shownAs, { language: site.language });
    return { name, shownAs, ...(result.article ? { article: result.article } : {}), errors: result.errors, warnings: result.warnings };
  });
  return buildSnapshot(site, files, version);
}
