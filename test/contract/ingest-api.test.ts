import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkGroup } from '../../src/cli/check-records.js';
import { createApp } from '../../src/http/app.js';
import { BACKENDS, useBackend, type OpenedStore } from '../helpers/backends.js';
import { makeRecord } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

/**
 * The ingest API's answers, the same on every backend: what a newsroom's
 * CMS sees when it pushes, corrects and retracts stories. The API itself is
 * covered in depth on the files backend by test/api/api.test.ts.
 */
const TOKEN = 'contract-token-0123456789';
const NOW = new Date('2025-06-01T00:00:00Z');
const MAX_BYTES = 4096;

describe.each(BACKENDS)('ingest API on the $name backend', (backend) => {
  const harness = useBackend(backend);
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup(opened: Promise<OpenedStore>) {
    const { store } = await opened;
    closers.push(() => opened.then((o) => o.close()));
    const server = await listen(createApp({ store, clock: () => NOW, log: () => undefined, ingest: { token: TOKEN, maxBytes: MAX_BYTES } }));
    closers.push(server.close);
    const api = (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${TOKEN}`);
      return fetch(`${server.url}/api${path}`, { ...init, headers });
    };
    const put = (id: string, body: unknown, contentType = 'application/json') =>
      api(`/articles/${id}`, { method: 'PUT', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const feedIds = async () => ((await (await fetch(`${server.url}/feed.json`)).json()) as { items: { id: string }[] }).items.map((i) => i.id.replace(/^.*:/, ''));
    return { api, put, feedIds };
  }

  const story = (id: string, overrides: Record<string, unknown> = {}) => makeRecord({ id, url: `https://news.example.org/${id}.html`, published: '2025-05-31T12:00:00Z', ...overrides });

  it('creates (201 with Location), replaces (200), reads (200), deletes (204), and the feed follows each step', async () => {
    const { api, put, feedIds } = await setup(harness.open([story('older-story', { published: '2025-05-01T00:00:00Z' })]));
    const created = await put('fresh-report', story('fresh-report', { headline: 'Fresh report', extra: 'kept' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/articles/fresh-report');
    const body = (await created.json()) as { id: string; headline: string; state: string; source: string; warnings: { field: string }[] };
    expect(body).toMatchObject({ id: 'fresh-report', headline: 'Fresh report', state: 'published', source: 'data/articles/fresh-report.json' });
    expect(body.warnings.map((w) => w.field)).toEqual(['extra']);
    expect(await feedIds()).toEqual(['fresh-report', 'older-story']);

    const replaced = await put('fresh-report', story('fresh-report', { headline: 'Corrected report' }));
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('location')).toBeNull();
    const got = await api('/articles/fresh-report');
    expect(got.status).toBe(200);
    expect(((await got.json()) as { headline: string }).headline).toBe('Corrected report');

    const list = (await (await api('/articles')).json()) as { count: number; articles: { id: string; source: string }[] };
    expect(list.articles.map((a) => [a.id, a.source])).toEqual([
      ['fresh-report', 'data/articles/fresh-report.json'],
      ['older-story', 'data/articles/0000-older-story.json'],
    ]);

    expect((await api('/articles/fresh-report', { method: 'DELETE' })).status).toBe(204);
    expect(await feedIds()).toEqual(['older-story']);
    expect((await api('/articles/fresh-report')).status).toBe(404);
  });

  it('updates an article under the name it was loaded from', async () => {
    const { api, put } = await setup(harness.open([story('legacy-story')]));
    const res = await put('legacy-story', story('legacy-story', { headline: 'Through the API' }));
    expect(res.status).toBe(200);
    const got = (await (await api('/articles/legacy-story')).json()) as { headline: string; source: string };
    expect(got).toMatchObject({ headline: 'Through the API', source: 'data/articles/0000-legacy-story.json' });
  });

  it('answers 400 problem details listing every problem with the fields `wirefeed lint` reports for the same text, and writes nothing', async () => {
    const { api, put, feedIds } = await setup(harness.open([story('kept-story')]));
    const sent = `${JSON.stringify({ id: 'broken-story', url: 'not a url', body: '<p>x</p>', published: 'yesterday', credits: [{ name: 'A', role: 'chef' }] }, null, 2)}\n`;
    const res = await put('broken-story', sent);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = (await res.json()) as { type: string; title: string; status: number; detail: string; problems: { file: string; line: number; column: number; field: string; problem: string }[] };
    expect(body).toMatchObject({ type: 'urn:wirefeed:problem:invalid-record', status: 400 });
    expect(body.problems.map((p) => p.field).sort()).toEqual(['credits[0].role', 'headline', 'published', 'url']);
    // The same text through lint's checker, saved where the API would have written it: the same file, lines, columns, fields and problems.
    const fields = (p: { file: string; line: number; column: number; field?: string; problem: string }) => ({ file: p.file, line: p.line, column: p.column, field: p.field, problem: p.problem });
    const byField = (a: { field?: string }, b: { field?: string }) => String(a.field).localeCompare(String(b.field));
    const linted = (text: string, id: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'wirefeed-lint-'));
      closers.push(async () => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(join(dir, `${id}.json`), text);
      return checkGroup({ root: dir, records: [{ path: join(dir, `${id}.json`), shownAs: `data/articles/${id}.json` }] }).findings.map(fields).sort(byField);
    };
    expect(body.problems.map(fields).sort(byField)).toEqual(linted(sent, 'broken-story'));
    expect(body.problems.find((p) => p.field === 'url')).toMatchObject({ line: 3, column: 3 });
    const halfEdit = '{\n  "id": "kept-story",\n  "headline": }';
    const unparsable = await put('kept-story', halfEdit);
    expect(unparsable.status).toBe(400);
    const unparsed = ((await unparsable.json()) as { problems: { file: string; line: number; column: number; problem: string }[] }).problems;
    expect(unparsed[0]?.problem).toMatch(/not valid JSON/);
    // The story is stored as data/articles/0000-kept-story.json: the API names the file it would have replaced.
    expect(unparsed.map(fields)).toEqual(linted(halfEdit, 'kept-story').map((f) => ({ ...f, file: unparsed[0]?.file })));
    const mismatch = await put('kept-story', story('another-story'));
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { detail: string }).detail).toMatch(/disagree/);
    expect((await put('Not_An_Id', story('Not_An_Id'))).status).toBe(400);
    expect((await api('/articles/broken-story')).status).toBe(404);
    expect(await feedIds()).toEqual(['kept-story']);
  });

  it('answers 404 to reading or deleting an unknown id', async () => {
    const { api } = await setup(harness.open([]));
    for (const method of ['GET', 'DELETE']) {
      const res = await api('/articles/no-such-story', { method });
      expect(res.status, method).toBe(404);
      expect(await res.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'No article with id "no-such-story".' });
    }
  });

  it('answers 409 when <id>.json holds another article, and writes nothing', async () => {
    const opened = harness.openDir((dataDir) => writeFileSync(join(dataDir, 'articles', 'taken.json'), JSON.stringify(story('someone-else'))));
    const { api, put, feedIds } = await setup(opened);
    const res = await put('taken', story('taken'));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail: string }).detail).toBe('The file data/articles/taken.json holds article "someone-else"; it cannot also hold "taken".');
    expect((await api('/articles/taken')).status).toBe(404);
    expect(await feedIds()).toEqual(['someone-else']);
  });

  it('answers 413 to a body over INGEST_MAX_BYTES and 415 to a wrong content type, writing nothing', async () => {
    const { api, put } = await setup(harness.open([]));
    expect((await put('big-story', story('big-story', { body: `<p>${'x'.repeat(MAX_BYTES)}</p>` }))).status).toBe(413);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      expect((await put('small-story', story('small-story'), type)).status, type).toBe(415);
    }
    expect(((await (await api('/articles')).json()) as { count: number }).count).toBe(0);
    expect((await put('small-story', story('small-story'), 'application/json; charset=utf-8')).status).toBe(201);
  });
});
