import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashSecret, type ApiKey } from '../../src/http/api-keys.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';
import { writeBackends } from '../helpers/write-backends.js';

const available = await probePostgres();
const TOKEN = 'test-token-0123456789abcdef';
const KOREAN = 'korean-desk-secret-0123456789abcdef0123456789';
const EDITOR = 'editor-secret-0123456789abcdef0123456789abcdef';
const KOREAN_EDITOR = 'korean-editor-secret-0123456789abcdef0123456789';
const KEYS: ApiKey[] = [
  { id: 'korean-desk', hash: hashSecret(KOREAN), services: ['Korean'], delete: false, audit: false },
  { id: 'korean-editor', hash: hashSecret(KOREAN_EDITOR), services: ['Korean'], delete: true, audit: false },
  { id: 'editor', hash: hashSecret(EDITOR), delete: true, audit: true },
];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Body {
  detail?: string;
  headline?: string;
  count?: number;
  versions?: { version: number; keyId: string | null; action: string; size: number; summary: string }[];
  entries?: { keyId: string | null; method: string; id: string; status: number; outcome: string; version?: number; client: string }[];
  record?: Record<string, unknown> | null;
}

describe.each(writeBackends(available))('newsroom writes on the $name backend', (backend) => {
  async function setup(records: readonly Record<string, unknown>[] = [], options: { requireIfMatch?: boolean; historyKeep?: number } = {}) {
    const opened = await backend.open(records, options.historyKeep === undefined ? {} : { historyKeep: options.historyKeep });
    const app = createApp({ store: opened.store, ingest: { token: TOKEN, keys: KEYS, maxBytes: 1024 * 1024, requireIfMatch: options.requireIfMatch ?? false } });
    const server = await listen(app);
    cleanups.push(opened.close, server.close);
    const api = async (path: string, init: { method?: string; key?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
      const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? EDITOR}`, ...init.headers };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}/api${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
      return { status: res.status, etag: res.headers.get('etag'), headers: res.headers, body: (res.status === 204 ? {} : await res.json()) as Body };
    };
    const put = (id: string, record: Record<string, unknown>, key = EDITOR, headers: Record<string, string> = {}) => api(`/articles/${id}`, { method: 'PUT', key, headers, body: record });
    return { ...opened, api, put };
  }

  it('GET gives an ETag; If-Match with it saves, a stale one is 412 and nothing is written', async () => {
    const { api, put } = await setup();
    const created = await put('story-a', makeRecord({ id: 'story-a', headline: 'First' }));
    expect(created.status).toBe(201);
    const read = await api('/articles/story-a');
    expect(read.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(read.etag).toBe(created.etag);
    const saved = await put('story-a', makeRecord({ id: 'story-a', headline: 'Second' }), EDITOR, { 'if-match': read.etag as string });
    expect(saved.status).toBe(200);
    expect(saved.etag).not.toBe(read.etag);
    const stale = await put('story-a', makeRecord({ id: 'story-a', headline: 'Third' }), EDITOR, { 'if-match': read.etag as string });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toMatch(/has changed since/);
    expect(stale.etag).toBe(saved.etag);
    expect((await api('/articles/story-a')).body.headline).toBe('Second');
    const staleDelete = await api('/articles/story-a', { method: 'DELETE', headers: { 'if-match': read.etag as string } });
    expect(staleDelete.status).toBe(412);
    expect((await api('/articles/story-a')).status).toBe(200);
  });

  it('two editors racing from the same ETag: exactly one save wins, the other gets 412, both attempts are audited', async () => {
    const { api, put } = await setup([makeRecord({ id: 'raced' })]);
    const { etag } = await api('/articles/raced');
    const [one, two] = await Promise.all([
      put('raced', makeRecord({ id: 'raced', headline: 'Edit by one' }), EDITOR, { 'if-match': etag as string }),
      put('raced', makeRecord({ id: 'raced', headline: 'Edit by two' }), KOREAN, { 'if-match': etag as string }),
    ]);
    expect([one.status, two.status].sort()).toEqual([200, 412]);
    const winner = one.status === 200 ? 'Edit by one' : 'Edit by two';
    expect((await api('/articles/raced')).body.headline).toBe(winner);
    // The PostgreSQL setup puts the seed record through the store (client "local", no key): only the editors' requests count here.
    const audit = (await api('/audit')).body.entries?.filter((e) => e.id === 'raced' && e.method === 'PUT' && e.client !== 'local') ?? [];
    expect(audit.map((e) => e.status).sort()).toEqual([200, 412]);
    expect(new Set(audit.map((e) => e.keyId))).toEqual(new Set(['editor', 'korean-desk']));
  });

  it('If-None-Match: * creates only: 412 when the id exists', async () => {
    const { put } = await setup([makeRecord({ id: 'taken' })]);
    expect((await put('taken', makeRecord({ id: 'taken' }), EDITOR, { 'if-none-match': '*' })).status).toBe(412);
    expect((await put('fresh', makeRecord({ id: 'fresh' }), EDITOR, { 'if-none-match': '*' })).status).toBe(201);
  });

  it('five creates of one new id at once with If-None-Match: *: exactly one 201, four 412, one version', async () => {
    const { api, put } = await setup();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => put('first-past', makeRecord({ id: 'first-past', headline: `Try ${i}` }), EDITOR, { 'if-none-match': '*' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 412, 412, 412, 412]);
    expect((await api('/articles/first-past/versions')).body.versions?.map((v) => v.action)).toEqual(['created']);
  });

  it('REQUIRE_IF_MATCH=true: a PUT or DELETE without If-Match is 428; If-None-Match: * still creates', async () => {
    const { api, put } = await setup([makeRecord({ id: 'guarded' })], { requireIfMatch: true });
    const missing = await put('guarded', makeRecord({ id: 'guarded', headline: 'Blind' }));
    expect(missing.status).toBe(428);
    expect(missing.body.detail).toMatch(/If-Match/);
    expect((await api('/articles/guarded', { method: 'DELETE' })).status).toBe(428);
    expect((await put('new-one', makeRecord({ id: 'new-one' }), EDITOR, { 'if-none-match': '*' })).status).toBe(201);
    const { etag } = await api('/articles/guarded');
    const seen = await put('guarded', makeRecord({ id: 'guarded', headline: 'Seen' }), EDITOR, { 'if-match': etag as string });
    expect(seen.status).toBe(200);
    expect((await api('/articles/guarded', { method: 'DELETE', headers: { 'if-match': seen.etag as string } })).status).toBe(204);
    const versions = (await api('/articles/guarded/versions')).body.versions ?? [];
    const before = versions[versions.length - 2]?.version;
    expect((await api(`/articles/guarded/restore?version=${before}`, { method: 'POST' })).status).toBe(428);
    expect((await api(`/articles/guarded/restore?version=${before}`, { method: 'POST', headers: { 'if-none-match': '*' } })).status).toBe(201);
  });

  it('a key outside its scope gets 403 naming the scope: another service, moving a story out, deleting, reading the audit', async () => {
    const { api, put } = await setup([makeRecord({ id: 'english-story', service: 'English' }), makeRecord({ id: 'korean-story' })]);
    const other = await put('english-story', makeRecord({ id: 'english-story', service: 'English', headline: 'Overwritten' }), KOREAN);
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/lacks the scope service "English"/);
    const moved = await put('korean-story', makeRecord({ id: 'korean-story', service: 'English' }), KOREAN);
    expect(moved.status).toBe(403);
    expect(moved.body.detail).toMatch(/lacks the scope service "English".*outside it/);
    expect((await put('korean-story', makeRecord({ id: 'korean-story', headline: 'Desk edit' }), KOREAN)).status).toBe(200);
    const deleted = await api('/articles/korean-story', { method: 'DELETE', key: KOREAN });
    expect(deleted.status).toBe(403);
    expect(deleted.body.detail).toMatch(/lacks the scope delete/);
    const audit = await api('/audit', { key: KOREAN });
    expect(audit.status).toBe(403);
    expect(audit.body.detail).toMatch(/lacks the scope audit/);
    expect((await api('/articles/english-story')).body.headline).not.toBe('Overwritten');
    // INGEST_TOKEN stays one unscoped key.
    expect((await put('english-story', makeRecord({ id: 'english-story', service: 'English', headline: 'By token' }), TOKEN)).status).toBe(200);
  });

  it('keeps every version with key and summary, returns one, and restores after a DELETE', async () => {
    const { api, put } = await setup();
    await put('kept', makeRecord({ id: 'kept', headline: 'One' }), KOREAN);
    await put('kept', makeRecord({ id: 'kept', headline: 'Two', body: '<p>New body.</p>' }));
    expect((await api('/articles/kept', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/articles/kept')).status).toBe(404);
    const listed = await api('/articles/kept/versions');
    expect(listed.status).toBe(200);
    expect(listed.body.versions?.map((v) => [v.version, v.action, v.keyId])).toEqual([
      [1, 'created', 'korean-desk'],
      [2, 'updated', 'editor'],
      [3, 'deleted', 'editor'],
    ]);
    expect(listed.body.versions?.[1]?.summary).toBe('updated: headline, body changed');
    expect(listed.body.versions?.[0]?.size).toBeGreaterThan(100);
    const first = await api('/articles/kept/versions/1');
    expect(first.body.record?.headline).toBe('One');
    const restored = await api('/articles/kept/restore', { method: 'POST', body: { version: 1 } });
    expect(restored.status).toBe(201);
    expect(restored.headers.get('wirefeed-version')).toBe('4');
    expect((await api('/articles/kept')).body.headline).toBe('One');
    expect((await api('/articles/kept/versions')).body.versions?.[3]).toMatchObject({ version: 4, action: 'restored', summary: 'restored version 1' });
    expect((await api('/articles/kept/restore?version=3', { method: 'POST' })).status).toBe(409);
    expect((await api('/articles/kept/restore?version=9', { method: 'POST' })).status).toBe(404);
    expect((await api('/articles/kept/versions/x')).status).toBe(400);
  });

  it('HISTORY_KEEP keeps the newest versions only; numbers go on', async () => {
    const { api, put } = await setup([], { historyKeep: 2 });
    for (const headline of ['A', 'B', 'C', 'D']) await put('short', makeRecord({ id: 'short', headline }));
    expect((await api('/articles/short/versions')).body.versions?.map((v) => v.version)).toEqual([3, 4]);
  });

  it('HISTORY_KEEP=1: a DELETE keeps the newest version with content, so the story can be restored', async () => {
    const { api, put } = await setup([], { historyKeep: 1 });
    await put('only-copy', makeRecord({ id: 'only-copy', headline: 'Draft' }));
    await put('only-copy', makeRecord({ id: 'only-copy', headline: 'Only copy' }));
    expect((await api('/articles/only-copy', { method: 'DELETE' })).status).toBe(204);
    const versions = (await api('/articles/only-copy/versions')).body.versions ?? [];
    expect(versions.map((v) => [v.version, v.action])).toEqual([
      [2, 'updated'],
      [3, 'deleted'],
    ]);
    expect((await api('/articles/only-copy/restore?version=2', { method: 'POST' })).status).toBe(201);
    expect((await api('/articles/only-copy')).body.headline).toBe('Only copy');
    expect((await api('/articles/only-copy/versions')).body.versions?.map((v) => [v.version, v.action])).toEqual([[4, 'restored']]);
  });

  it("a DELETE is checked against the scope of the record it removes: a Korean key that may delete cannot delete an English story", async () => {
    const { api } = await setup([makeRecord({ id: 'english-only', service: 'English' })]);
    const refused = await api('/articles/english-only', { method: 'DELETE', key: KOREAN_EDITOR });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/service "English"/);
    expect((await api('/articles/english-only')).status).toBe(200);
  });

  it('audits every write, refused ones included, with key, client, method, outcome and version, and no secret', async () => {
    const { api, put } = await setup();
    const since = new Date(Date.now() - 1000).toISOString();
    await put('audited', makeRecord({ id: 'audited' }));
    await put('audited', makeRecord({ id: 'audited', headline: 42 }));
    await api('/articles/audited', { method: 'DELETE', key: 'wrong-secret-0123456789' });
    const audit = await api(`/audit?since=${encodeURIComponent(since)}`);
    expect(audit.status).toBe(200);
    const entries = audit.body.entries ?? [];
    // The DELETE without an accepted key is counted in its client's line for this minute, written when the
    // minute ends (test/api/audit-trail.test.ts); writes under a key have a line each at once.
    expect(entries.map((e) => [e.method, e.status, e.keyId])).toEqual([
      ['PUT', 201, 'editor'],
      ['PUT', 400, 'editor'],
    ]);
    expect(entries[0]).toMatchObject({ outcome: 'created', version: 1, client: '127.0.0.1' });
    expect(entries[1]?.outcome).toMatch(/^refused: /);
    expect(JSON.stringify(audit.body)).not.toMatch(/secret|test-token/);
    expect((await api('/audit?since=yesterday')).status).toBe(400);
  });
});

describe.skipIf(!available)('record ETags across backends', () => {
  it('the same record bytes give the same ETag on the files and PostgreSQL backends', async () => {
    const record = makeRecord({ id: 'same-bytes', tags: ['b', 'a'], zeta: 1, alpha: { y: 1, x: 2 } });
    const etags = [];
    for (const backend of writeBackends(true)) {
      const opened = await backend.open();
      try {
        const result = await opened.store.put('same-bytes', Buffer.from(JSON.stringify(record)));
        etags.push(result.etag, await opened.store.etag('same-bytes'));
      } finally {
        await opened.close();
      }
    }
    expect(new Set(etags).size).toBe(1);
  });
});
