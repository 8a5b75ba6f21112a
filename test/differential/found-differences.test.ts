import { afterEach, describe, expect, it } from 'vitest';
import { LAST_GOOD_NOTE } from '../../src/load/errors.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { openBackendPair, type BackendPair } from './backend-pair.js';

const available = await probePostgres();

/**
 * The four differences the differential test (files-vs-postgres.test.ts)
 * found and that were fixed, each pinned by one small test, so a regression
 * shows here in a second instead of in a random sequence some runs later.
 */
describe.skipIf(!available)('differences the differential test found stay fixed', () => {
  let pair: BackendPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });
  const story = (id: string, extra: Record<string, unknown> = {}): string => JSON.stringify(makeRecord({ id, url: `https://news.example.org/${id}.html`, ...extra }));

  it("a refused write is audited at the app's clock on both backends, not the wall clock", async () => {
    // A clock years from the wall clock: a refusal stamped with new Date() cannot pass for it.
    pair = await openBackendPair({ start: new Date('2031-03-04T05:06:07Z') });
    for (const side of [pair.files, pair.postgres]) {
      const reply = await side.request('/api/articles/refused', { method: 'PUT', body: story('refused'), headers: { 'if-match': '"stale-etag"' } });
      expect(reply.status, side.name).toBe(412);
    }
    const ats = [];
    for (const side of [pair.files, pair.postgres]) {
      const entries = (JSON.parse((await side.request('/api/audit?since=2031-01-01T00:00:00Z')).text) as { entries: { at: string; status: number }[] }).entries;
      ats.push(entries.filter((e) => e.status === 412).map((e) => e.at));
    }
    expect(ats).toEqual([['2031-03-04T05:06:07.000Z'], ['2031-03-04T05:06:07.000Z']]);
  });

  it('a file turned broken over a served story is reported by sync with the files backend\'s "last good version stays" note', async () => {
    pair = await openBackendPair();
    await pair.handEdit('kept.json', story('kept'));
    const report = await pair.handEdit('kept.json', '{ "id": "kept", "headline": "half an edit"\n');
    const health = [];
    for (const side of [pair.files, pair.postgres]) health.push((JSON.parse((await side.request('/healthz', { key: null })).text) as { rejected: { problem: string }[] }).rejected);
    expect(health[0]?.[0]?.problem).toContain(LAST_GOOD_NOTE);
    expect(health[1]).toEqual(health[0]);
    expect(report?.rejected.map((e) => e.problem)).toEqual(health[0]?.map((e) => e.problem));
    // And the last good version is still the one served, on both.
    for (const side of [pair.files, pair.postgres]) expect((await side.request('/api/articles/kept')).status, side.name).toBe(200);
  });

  it('the versions list and a version are the same bytes on both backends (one key order)', async () => {
    pair = await openBackendPair();
    for (const side of [pair.files, pair.postgres]) expect((await side.request('/api/articles/listed', { method: 'PUT', body: story('listed') })).status, side.name).toBe(201);
    for (const path of ['/api/articles/listed/versions', '/api/articles/listed/versions/1']) {
      const [files, postgres] = [await pair.files.request(path), await pair.postgres.request(path)];
      expect(files.status, path).toBe(200);
      // The times are the shared clock's, so the whole text compares, key order included.
      expect(postgres.text, path).toBe(files.text);
    }
    expect(Object.keys((JSON.parse((await pair.postgres.request('/api/articles/listed/versions')).text) as { versions: object[] }).versions[0] ?? {})).toEqual(['version', 'at', 'keyId', 'action', 'size', 'summary', 'etag']);
  });

  it('warnings of records written through the API (an ignored field, a translation naming itself) are in /healthz on both backends', async () => {
    pair = await openBackendPair();
    const body = story('api-warned', { language: 'de', translationOf: 'api-warned', deskNote: 'ignored' });
    for (const side of [pair.files, pair.postgres]) expect((await side.request('/api/articles/api-warned', { method: 'PUT', body })).status, side.name).toBe(201);
    const warnings = [];
    for (const side of [pair.files, pair.postgres]) warnings.push((JSON.parse((await side.request('/healthz', { key: null })).text) as { warnings: { field?: string; problem: string }[] }).warnings);
    expect(warnings[0]?.map((w) => w.field).sort()).toEqual(['deskNote', 'translationOf']);
    expect(warnings[1]).toEqual(warnings[0]);
  });
});
