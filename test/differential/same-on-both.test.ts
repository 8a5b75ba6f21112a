import { afterEach, describe, expect, it } from 'vitest';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { openBackendPair, type BackendPair } from './backend-pair.js';
import { observeBoth } from './observe.js';

const available = await probePostgres();

/**
 * Issue 22 items 4-6: what serves from files serves identically from
 * PostgreSQL after `sync`, versions keep the same bytes and ETag on both,
 * and both warn about the same translation links.
 */
describe.skipIf(!available)('the files backend and PostgreSQL behave the same', () => {
  let pair: BackendPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('a story with U+0000 and lone surrogates (body, tag, an ignored field) serves identically after sync and through the API', async () => {
    pair = await openBackendPair();
    const dirty = makeRecord({ id: 'dirty-story', headline: 'Half \uD800 a pair', body: '<p>a\u0000b</p>', tags: ['Ta\u0000g'], notes: 'desk \u0000 note \uDC00', 'odd\u0000field': 1 });
    // JSON.stringify writes U+0000 and the lone surrogates as \u escapes, as an editor's tool would.
    const report = await pair.handEdit('dirty-story.json', `${JSON.stringify(dirty, null, 2)}\n`);
    expect(report?.rejected).toEqual([]);
    const seen = await observeBoth(pair, ['dirty-story']);
    expect(seen.files.stories['dirty-story']).toMatch(/^200 "/);
    expect(seen.postgres).toEqual(seen.files);
    expect(seen.files.stories['dirty-story']).toContain('"headline":"Half a pair"');

    // The ingest API: both accept it, store the same canonical record, give the same ETag.
    const body = JSON.stringify({ ...dirty, id: 'dirty-put', url: 'https://news.example.org/dirty-put.html' });
    const [files, postgres] = [await pair.files.request('/api/articles/dirty-put', { method: 'PUT', body }), await pair.postgres.request('/api/articles/dirty-put', { method: 'PUT', body })];
    expect([files.status, postgres.status]).toEqual([201, 201]);
    expect(postgres.etag).toBe(files.etag);
    const after = await observeBoth(pair, ['dirty-story', 'dirty-put']);
    expect(after.postgres).toEqual(after.files);
    expect(after.files.stories['dirty-put/versions/1']).not.toMatch(/\\u0000|\\ud800|\\udc00/);
  });

  it('an existing version keeps the bytes the file was saved with, with the same ETag, and restoring it gives that ETag again', async () => {
    pair = await openBackendPair();
    // Keys in an editor's own order, compact, no final newline: jsonb would have reordered them.
    const saved = JSON.stringify({ url: 'https://news.example.org/kept.html', id: 'kept', published: '2026-05-01T10:00:00Z', headline: 'As saved', body: '<p>Saved by hand.</p>', zebra: 1, apple: 2 });
    await pair.handEdit('kept.json', saved);
    const etags = [(await pair.files.request('/api/articles/kept')).etag, (await pair.postgres.request('/api/articles/kept')).etag];
    expect(etags[1]).toBe(etags[0]);
    const edit = JSON.stringify(makeRecord({ id: 'kept', url: 'https://news.example.org/kept.html', headline: 'Edited' }));
    for (const side of [pair.files, pair.postgres]) expect((await side.request('/api/articles/kept', { method: 'PUT', body: edit, headers: { 'if-match': etags[0] as string } })).status).toBe(200);
    const first = [await pair.files.request('/api/articles/kept/versions/1'), await pair.postgres.request('/api/articles/kept/versions/1')];
    expect(first.map((v) => (JSON.parse(v.text) as { action: string }).action)).toEqual(['existing', 'existing']);
    expect(first.map((v) => JSON.stringify(JSON.parse(v.text).record))).toEqual([JSON.stringify(JSON.parse(saved)), JSON.stringify(JSON.parse(saved))]);
    expect(first.map((v) => v.etag)).toEqual([etags[0], etags[0]]);
    const restored = [];
    for (const side of [pair.files, pair.postgres]) restored.push(await side.request('/api/articles/kept/restore', { method: 'POST', body: '{"version":1}' }));
    expect(restored.map((r) => r.status)).toEqual([200, 200]);
    expect(restored.map((r) => r.etag)).toEqual([etags[0], etags[0]]);
    const seen = await observeBoth(pair, ['kept']);
    expect(seen.postgres).toEqual(seen.files);
    expect(seen.files.stories['kept/versions/1']).toContain(`"record":${saved}}`);
  });

  it('translation chains, self-references, cycles and same-language duplicates are warned about by both: sync output and /healthz', async () => {
    pair = await openBackendPair();
    const story = (id: string, extra: Record<string, unknown>) => `${JSON.stringify(makeRecord({ id, url: `https://news.example.org/${id}.html`, ...extra }), null, 2)}\n`;
    await pair.handEdit('orig.json', story('orig', { language: 'ko' }));
    await pair.handEdit('en-1.json', story('en-1', { language: 'en', translationOf: 'orig' }));
    await pair.handEdit('en-2.json', story('en-2', { language: 'en', translationOf: 'orig' }));
    await pair.handEdit('chain.json', story('chain', { language: 'fr', translationOf: 'en-1' }));
    await pair.handEdit('self.json', story('self', { language: 'de', translationOf: 'self' }));
    await pair.handEdit('cycle-a.json', story('cycle-a', { language: 'ja', translationOf: 'cycle-b' }));
    const report = await pair.handEdit('cycle-b.json', story('cycle-b', { language: 'zh', translationOf: 'cycle-a' }));
    const seen = await observeBoth(pair, []);
    const messages = (seen.files.warnings as { message: string }[]).map((w) => w.message);
    expect(messages.filter((m) => m.includes('"translationOf"')).length).toBe(5);
    expect(messages.join('\n')).toMatch(/names itself/);
    expect(messages.join('\n')).toMatch(/like "en-1" in the same translation group/);
    expect(seen.postgres.warnings).toEqual(seen.files.warnings);
    expect(report?.warnings.map((w) => w.message)).toEqual(messages);
  });
});
