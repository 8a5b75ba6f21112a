import type { ArticleKey } from '../../src/model/article-fields.js';

/**
 * A record with every field of ARTICLE_FIELDS set, optional ones included
 * (test/model/article-fields.test.ts fails when a field of the table is
 * missing here), and the two originals it may name as a translation.
 */
export const EVERY_FIELD_RECORD: Readonly<Record<string, unknown>> = {
  id: 'every-field',
  url: 'https://news.example.org/world/every-field.html',
  headline: 'Every field set',
  summary: 'A summary of the story.',
  body: '<p>The body of the story.</p>',
  published: '2030-01-01T09:00:00',
  updated: '2030-01-01T12:00:00',
  timezone: 'Asia/Seoul',
  language: 'en',
  service: 'Korean',
  section: 'World',
  tags: ['Trade', 'Seoul'],
  credits: [
    { name: 'Reporter One', role: 'reporter', organization: 'the Korean Service' },
    { name: 'Photographer Two', role: 'photographer' },
  ],
  images: [{ url: 'https://media.example.org/a.jpg', caption: 'A caption.', credit: 'Agency', alt: 'Alt text', width: 800, height: 600, type: 'image/jpeg', bytes: 1234, thumbnail: 'https://media.example.org/a-small.jpg' }],
  status: 'published',
  translationOf: 'original-a',
};

/** Originals the fixture may name with translationOf, each in its own language. */
export const ORIGINALS: readonly Readonly<Record<string, unknown>>[] = [
  { id: 'original-a', url: 'https://news.example.org/ko/a.html', headline: '원문 가', body: '<p>가</p>', published: '2029-12-31T09:00:00Z', language: 'ko' },
  { id: 'original-b', url: 'https://news.example.org/ja/b.html', headline: '原文 B', body: '<p>B</p>', published: '2029-12-30T09:00:00Z', language: 'ja' },
];

/**
 * For each field, an edit of only that field. Typed by the table's keys, so
 * a field added to ARTICLE_FIELDS does not compile until it has one here.
 */
export const FIELD_EDITS: Readonly<Record<Exclude<ArticleKey, 'source'>, Readonly<Record<string, unknown>>>> = {
  id: { id: 'every-field-renamed' },
  url: { url: 'https://news.example.org/world/every-field-moved.html' },
  headline: { headline: 'Every field set, corrected' },
  summary: { summary: 'A corrected summary.' },
  body: { body: '<p>The corrected body.</p>' },
  published: { published: '2030-01-01T10:00:00' },
  updated: { updated: '2030-01-01T13:00:00' },
  // The same instants read in another zone: only the zone's name changes, not a date.
  timezone: { timezone: 'Asia/Tokyo' },
  language: { language: 'en-GB' },
  service: { service: 'Japanese' },
  section: { section: 'Asia' },
  tags: { tags: ['Trade', 'Busan'] },
  credits: { credits: [{ name: 'Reporter One', role: 'writer', organization: 'the Korean Service' }, { name: 'Photographer Two', role: 'photographer' }] },
  images: { images: [{ url: 'https://media.example.org/a.jpg', caption: 'Another caption.', credit: 'Agency', alt: 'Alt text', width: 800, height: 600, type: 'image/jpeg', bytes: 1234, thumbnail: 'https://media.example.org/a-small.jpg' }] },
  status: { status: 'draft' },
  translationOf: { translationOf: 'original-b' },
};

/** The fixture with one field edited. */
export function editedRecord(key: keyof typeof FIELD_EDITS): Record<string, unknown> {
  return { ...EVERY_FIELD_RECORD, ...FIELD_EDITS[key] };
}
