import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { parseArticle } from '../../src/load/article.js';
import { FEED_FILE_NAMES, type DocumentFormat } from '../../src/model/types.js';
import { BACKENDS, useBackend, type OpenedStore } from '../helpers/backends.js';
import { editedRecord, EVERY_FIELD_RECORD, FIELD_EDITS, ORIGINALS } from '../helpers/every-field.js';
import { listen } from '../helpers/server.js';

const NOW = new Date('2030-06-01T00:00:00Z');
const FORMATS = Object.keys(FEED_FILE_NAMES) as DocumentFormat[];
type EditedField = keyof typeof FIELD_EDITS;

/**
 * Formats that do not show a field, and why. Every other (field, format)
 * pair must change when only that field is edited: a new field reaches every
 * format, or is listed here with the reason.
 */
const NOT_SHOWN: Partial<Record<EditedField, Partial<Record<DocumentFormat, string>>>> = {
  timezone: { rss: 'dates are instants; the zone name is in JSON Feed\'s _wirefeed only', atom: 'as rss', ninjs: 'ninjs has no place for a zone name' },
  service: { rss: 'no element for a language service', atom: 'as rss', ninjs: 'ninjs has no place for it (unevaluatedProperties: false)' },
};

/**
 * The fixture with every field set (test/helpers/every-field.ts), served on
 * each backend; then each field edited alone, as an editor or a sync would
 * change the record. The edit must be seen as a change (files: sameArticle in
 * the reloader) and reach every format that shows the field.
 */
describe.each(BACKENDS)('an edit of one field, on the $name backend', (backend) => {
  const harness = useBackend(backend);
  let opened: OpenedStore;
  let server: Awaited<ReturnType<typeof listen>>;
  const served = async (): Promise<Record<DocumentFormat, string>> =>
    Object.fromEntries(await Promise.all(FORMATS.map(async (format) => [format, await (await fetch(`${server.url}/${FEED_FILE_NAMES[format]}`)).text()] as const))) as Record<DocumentFormat, string>;

  beforeAll(async () => {
    opened = await harness.open([EVERY_FIELD_RECORD, ...ORIGINALS]);
    server = await listen(createApp({ store: opened.store, clock: () => NOW, log: () => undefined }));
  });
  afterAll(async () => {
    await server?.close();
    await opened?.close();
  });

  it('gives back the loader\'s article, every field in the loader\'s order', async () => {
    const loaded = parseArticle(EVERY_FIELD_RECORD, 'x', { language: 'en' }).article;
    const stored = await opened.store.article('every-field');
    expect(stored).toBeDefined();
    expect(JSON.stringify({ ...stored, body: stored?.body, source: 'x' })).toBe(JSON.stringify({ ...loaded, body: loaded?.body }));
  });

  it.each(Object.keys(FIELD_EDITS) as EditedField[])('an edit of only %s reaches every format that shows it', async (key) => {
    await opened.replace([EVERY_FIELD_RECORD, ...ORIGINALS]);
    const before = await served();
    await opened.replace([editedRecord(key), ...ORIGINALS]);
    const after = await served();
    const unchanged = FORMATS.filter((format) => before[format] === after[format]);
    expect(unchanged).toEqual(Object.keys(NOT_SHOWN[key] ?? {}));
  });
});
