import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashSecret, type ApiKey } from '../../src/http/api-keys.js';
import type { FilesStore } from '../../src/store/files/files-store.js';
import { makeRecord } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { writeBackends } from '../helpers/write-backends.js';

/**
 * Files-backend cases of "no byte an editor wrote is destroyed without
 * being kept": files the loader rejects (a syntax error, a duplicate id)
 * are bytes an editor wrote too, and a write or a DELETE that replaces or
 * removes them keeps them as versions first.
 */
const EDITOR = 'editor-secret-0123456789abcdef0123456789abcdef';
const KOREAN_EDITOR = 'korean-editor-secret-0123456789abcdef0123456789';
const KEYS: ApiKey[] = [
  { id: 'editor', hash: hashSecret(EDITOR), delete: true, audit: true },
  { id: 'korean-editor', hash: hashSecret(KOREAN_EDITOR), services: ['Korean'], delete: true, audit: false },
];
const BROKEN = '{\n  "id": "foo",\n  "headline": "Half an edit",\n  "body": "<p>Saved with a syntax error</p>"\n  "url": \n';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(records: readonly Record<string, unknown>[] = []) {
  const opened = await writeBackends(false)[0]!.open(records);
  const store = opened.store as FilesStore;
  const app = createApp({ store, ingest: { keys: KEYS, maxBytes: 1024 * 1024 } });
  const server = await listen(app);
  cleanups.push(opened.close, server.close);
  const articles = join(opened.dataDir, 'articles');
  const api = async (path: string, init: { method?: string; key?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? EDITOR}`, ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}/api${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    return { status: res.status, etag: res.headers.get('etag'), body: (res.status === 204 ? {} : await res.json()) as Record<string, unknown> };
  };
  /** Every kept version's text, oldest first. */
  const keptTexts = async (id: string) => Promise.all((await store.history.versions(id)).map(async (v) => (await store.history.version(id, v.version))?.record ?? null));
  return { store, articles, api, keptTexts };
}

describe('bytes a write replaces or removes are kept (files backend)', () => {
  it('a PUT over a file the loader rejects keeps its bytes as an existing version; If-None-Match: * on it is 412', async () => {
    const { store, articles, api, keptTexts } = await setup();
    writeFileSync(join(articles, 'foo.json'), BROKEN);
    await store.reload();
    expect(await store.article('foo')).toBeUndefined();

    const createOnly = await api('/articles/foo', { method: 'PUT', headers: { 'if-none-match': '*' }, body: makeRecord({ id: 'foo', headline: 'Fresh' }) });
    expect(createOnly.status).toBe(412);
    expect(createOnly.etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(readFileSync(join(articles, 'foo.json'), 'utf8')).toBe(BROKEN);

    // The ETag the 412 named lets an editor replace the broken file deliberately (REQUIRE_IF_MATCH servers need it).
    const fixed = await api('/articles/foo', { method: 'PUT', headers: { 'if-match': createOnly.etag as string }, body: makeRecord({ id: 'foo', headline: 'Fixed' }) });
    expect(fixed.status).toBe(200);
    expect((await store.history.versions('foo')).map((v) => v.action)).toEqual(['existing', 'updated']);
    expect((await keptTexts('foo'))[0]).toBe(BROKEN);
    const first = await api('/articles/foo/versions/1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ action: 'existing', record: null, text: BROKEN });
  });

  it('a PUT over a served story whose file was since saved broken keeps the broken bytes', async () => {
    const { store, articles, api, keptTexts } = await setup([makeRecord({ id: 'served', headline: 'Good' })]);
    const broken = BROKEN.replace('"foo"', '"served"');
    writeFileSync(join(articles, 'served.json'), broken);
    await store.reload();
    // The last good version is still served; the file on disk is what an editor saved last.
    expect((await store.article('served'))?.headline).toBe('Good');
    expect((await api('/articles/served', { method: 'PUT', body: makeRecord({ id: 'served', headline: 'Repaired' }) })).status).toBe(200);
    expect(await keptTexts('served')).toContain(broken);
  });

  it('a DELETE keeps every removed file, duplicates included, as a version before the deletion', async () => {
    const { store, articles, api, keptTexts } = await setup([makeRecord({ id: 'twin', headline: 'Served' })]);
    const dupA = `${JSON.stringify(makeRecord({ id: 'twin', headline: 'Duplicate A' }), null, 2)}\n`;
    const dupB = `${JSON.stringify(makeRecord({ id: 'twin', headline: 'Duplicate B' }))}`;
    writeFileSync(join(articles, 'zz-twin-copy-a.json'), dupA);
    writeFileSync(join(articles, 'zz-twin-copy-b.json'), dupB);
    await store.reload();
    expect((await api('/articles/twin', { method: 'DELETE' })).status).toBe(204);
    expect(readdirSync(articles)).toEqual([]);
    const texts = await keptTexts('twin');
    expect(texts).toContain(dupA);
    expect(texts).toContain(dupB);
    const versions = await store.history.versions('twin');
    expect(versions[versions.length - 1]?.action).toBe('deleted');
    // The newest version with content is the served record, so restoring it brings back what readers saw.
    expect(JSON.parse(texts[texts.length - 2] ?? '{}')).toMatchObject({ headline: 'Served' });
  });

  it("a DELETE is checked against every record it removes: a Korean key cannot remove an English duplicate", async () => {
    const { store, articles, api } = await setup([makeRecord({ id: 'mixed', service: 'Korean' })]);
    writeFileSync(join(articles, 'zz-mixed-english.json'), JSON.stringify(makeRecord({ id: 'mixed', service: 'English', headline: 'English copy' })));
    await store.reload();
    const refused = await api('/articles/mixed', { method: 'DELETE', key: KOREAN_EDITOR });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/service "English"/);
    expect(readdirSync(articles).sort()).toEqual(['mixed.json', 'zz-mixed-english.json']);
    expect(await store.history.versions('mixed')).toEqual([]);
    expect((await api('/articles/mixed', { method: 'DELETE' })).status).toBe(204);
  });
});
