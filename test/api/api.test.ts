import { createFileHistory } from '../../src/store/files/file-history.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore, createHolderStore } from '../../src/store/files/files-store.js';
import { createFileWrites } from '../../src/store/files/file-writes.js';
import { createReloader } from '../../src/store/files/reloader.js';
import { makeRecord } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { makeDataDir, makeRecords, SITE_OVERRIDES } from '../live/data-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const NOW = new Date('2025-06-01T00:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(records: readonly Record<string, unknown>[] = makeRecords(3), options: { maxBytes?: number; ingest?: boolean } = {}) {
  const data = makeDataDir(records);
  const reloader = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined });
  const ingest = { token: TOKEN, maxBytes: options.maxBytes ?? 1024 * 1024 };
  const app = createApp({ store: reloader, clock: () => NOW, ...(options.ingest === false ? {} : { ingest }) });
  const server = await listen(app);
  cleanups.push(data.remove, () => reloader.close(), server.close);
  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
    return fetch(`${server.url}/api${path}`, { ...init, headers });
  };
  const put = (id: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    api(`/articles/${id}`, { method: 'PUT', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const feedIds = async () => ((await (await fetch(`${server.url}/feed.json`)).json()) as { items: { id: string }[] }).items.map((i) => i.id.replace(/^.*:/, ''));
  /** Every file in articles/ with its bytes: what "nothing was written" is checked against. */
  const folder = () => Object.fromEntries(readdirSync(data.articles).sort().map((name) => [name, readFileSync(join(data.articles, name), 'utf8')]));
  return { data, reloader, server, api, put, feedIds, folder };
}

describe('ingest API: mounting and authorization', () => {
  it('does not exist without INGEST_TOKEN', async () => {
    const { api } = await setup(undefined, { ingest: false });
    expect((await api('/articles')).status).toBe(404);
  });

  it('answers 401 with WWW-Authenticate without a bearer token', async () => {
    const { api } = await setup();
    for (const headers of [{} as Record<string, string>, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, { authorization: 'Bearer' }]) {
      const res = await api('/articles', { token: null, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    }
  });

  it('answers 403 to a wrong token, whatever its length, and writes nothing', async () => {
    const { api, folder } = await setup();
    const before = folder();
    for (const token of ['x', `${TOKEN.slice(0, -1)}X`, `${TOKEN}extra`]) {
      expect((await api('/articles', { token })).status).toBe(403);
    }
    const res = await api('/articles/new-one', { method: 'PUT', token: 'wrong-token-wrong-token', headers: { 'content-type': 'application/json' }, body: JSON.stringify(makeRecord({ id: 'new-one' })) });
    expect(res.status).toBe(403);
    expect(folder()).toEqual(before);
  });
});

describe('ingest API: every refusal under /api is JSON, as documented', () => {
  it('guards, unknown paths and methods answer problem details (application/problem+json) with the status in the body', async () => {
    const { api } = await setup();
    const cases: [string, RequestInit, number][] = [
      ['/articles/%ZZ', {}, 400],
      ['/articles/a%00b', {}, 400],
      [`/articles?status=${'x'.repeat(2100)}`, {}, 414],
      ['/articles/story-0001/extra', {}, 404],
      ['/nothing-here', {}, 404],
    ];
    for (const [path, init, status] of cases) {
      const res = await api(path, init);
      expect(res.status, path.slice(0, 40)).toBe(status);
      expect(res.headers.get('content-type'), path.slice(0, 40)).toBe('application/problem+json; charset=utf-8');
      const body = (await res.json()) as { type: string; title: string; status: number; detail: unknown };
      expect(body, path.slice(0, 40)).toMatchObject({ type: 'about:blank', status });
      expect(typeof body.detail).toBe('string');
    }
  });

  it('without INGEST_TOKEN, /api answers 404 problem details saying the API is off', async () => {
    const { api } = await setup(undefined, { ingest: false });
    for (const init of [{}, { method: 'PUT' }, { method: 'DELETE' }] as RequestInit[]) {
      const res = await api('/articles/story-0001', init);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const body = (await res.json()) as { detail: string };
      if (res.status === 404) expect(body.detail).toMatch(/INGEST_TOKEN/);
      else expect(res.status).toBe(405);
    }
  });
});

describe('ingest API: PUT', () => {
  it('creates articles/<id>.json durably, answers 201 with Location, and the feed shows it at once', async () => {
    const { put, feedIds, data, folder } = await setup();
    const record = makeRecord({ id: 'fresh-report', headline: 'Fresh report', published: '2025-05-31T12:00:00Z', extra: 'kept' });
    const res = await put('fresh-report', record);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/articles/fresh-report');
    const body = (await res.json()) as { id: string; headline: string; state: string; warnings: { field: string }[] };
    expect(body).toMatchObject({ id: 'fresh-report', headline: 'Fresh report', state: 'published' });
    expect(body.warnings.map((w) => w.field)).toEqual(['extra']);
    expect(JSON.parse(readFileSync(join(data.articles, 'fresh-report.json'), 'utf8'))).toEqual(record);
    expect((await feedIds())[0]).toBe('fresh-report');
    expect(Object.keys(folder()).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('replaces an article (200) and the feed shows the new version', async () => {
    const { put, api } = await setup();
    const res = await put('story-0001', makeRecord({ id: 'story-0001', headline: 'Corrected headline', published: '2024-01-01T00:01:00Z' }));
    expect(res.status).toBe(200);
    const got = (await (await api('/articles/story-0001')).json()) as { headline: string };
    expect(got.headline).toBe('Corrected headline');
  });

  it('updates the file an id already lives in rather than creating <id>.json', async () => {
    const { put, data, folder, api } = await setupWithFile('legacy-name.json', makeRecord({ id: 'legacy-story' }));
    const res = await put('legacy-story', makeRecord({ id: 'legacy-story', headline: 'Through the API' }));
    expect(res.status).toBe(200);
    expect(Object.keys(folder())).toEqual(['legacy-name.json']);
    expect(JSON.parse(readFileSync(join(data.articles, 'legacy-name.json'), 'utf8')).headline).toBe('Through the API');
    expect(((await (await api('/articles/legacy-story')).json()) as { headline: string }).headline).toBe('Through the API');
  });

  it('answers 400 listing every problem with field and reason, and writes nothing', async () => {
    const { put, folder } = await setup();
    const before = folder();
    const res = await put('broken-story', { id: 'broken-story', url: 'not a url', body: '<p>x</p>', published: 'yesterday', credits: [{ name: 'A', role: 'chef' }] });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: string; problems: { field: string; problem: string; file: string }[] };
    expect(body.problems.map((p) => p.field).sort()).toEqual(['credits[0].role', 'headline', 'published', 'url']);
    for (const problem of body.problems) expect(problem.problem.length).toBeGreaterThan(5);
    expect(folder()).toEqual(before);
  });

  it('answers 400 for JSON that does not parse, with line and column', async () => {
    const { put, folder } = await setup();
    const before = folder();
    const res = await put('story-0001', '{\n  "id": "story-0001",\n  "headline": }');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: { problem: string }[] };
    expect(body.problems[0]?.problem).toMatch(/not valid JSON/);
    expect(folder()).toEqual(before);
  });

  it('answers 400 when the id in the path and in the body disagree, or the path id is not an id', async () => {
    const { put, folder } = await setup();
    const before = folder();
    const mismatch = await put('story-0001', makeRecord({ id: 'story-0002' }));
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { detail: string }).detail).toMatch(/disagree/);
    expect((await put('Not_An_Id', makeRecord({ id: 'Not_An_Id' }))).status).toBe(400);
    expect((await put('..%2Fsite', makeRecord({ id: '../site' }))).status).toBe(400);
    expect(folder()).toEqual(before);
  });

  it('answers 413 to a body over the limit and 415 to a wrong content type, writing nothing', async () => {
    const { put, folder } = await setup(makeRecords(1), { maxBytes: 2048 });
    const before = folder();
    const big = makeRecord({ id: 'big-story', body: `<p>${'x'.repeat(5000)}</p>` });
    expect((await put('big-story', big)).status).toBe(413);
    const small = makeRecord({ id: 'small-story', images: [] });
    expect((await put('small-story', small, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await put('small-story', small, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await put('small-story', small, { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect(folder()).toEqual(before);
    expect((await put('small-story', small, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
  });

  it('answers 409 when <id>.json holds another article, writing nothing', async () => {
    const { put, folder } = await setupWithFile('taken.json', makeRecord({ id: 'someone-else' }));
    const before = folder();
    const res = await put('taken', makeRecord({ id: 'taken' }));
    expect(res.status).toBe(409);
    expect(folder()).toEqual(before);
  });

  it('takes concurrent PUTs for different ids and serves them all', async () => {
    const { put, api } = await setup([]);
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => put(`parallel-${i}`, makeRecord({ id: `parallel-${i}` })).then((r) => r.status)));
    expect(statuses).toEqual(Array(20).fill(201));
    const list = (await (await api('/articles')).json()) as { count: number };
    expect(list.count).toBe(20);
  });
});

async function setupWithFile(name: string, record: Record<string, unknown>) {
  const context = await setup([]);
  writeFileSync(join(context.data.articles, name), JSON.stringify(record));
  await context.reloader.reload();
  return context;
}

/** Sends a PUT head (and `body`) on a raw socket and resolves with what the server answers first, or "" when it says nothing within `waitMs`. */
function rawPut(url: string, headers: Record<string, string>, body: string, waitMs = 3_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n\r\n')) setTimeout(done, 50);
    });
    socket.on('error', done);
    socket.on('close', done);
    const head = Object.entries({ host: hostname, ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`PUT /api/articles/huge-story HTTP/1.1\r\n${head}\r\n${body}`);
  });
}

describe('ingest API: declared sizes and nesting', () => {
  it('answers 413 at once when Content-Length declares more than INGEST_MAX_BYTES, without waiting for the body', async () => {
    const { server, folder } = await setup(makeRecords(1), { maxBytes: 1024 });
    const before = folder();
    const started = Date.now();
    const answer = await rawPut(server.url, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': '999999999' }, '{"id":');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/1024 bytes/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(folder()).toEqual(before);
  });

  it('answers 400 naming the limit to a record nested deeper than it, and writes nothing', async () => {
    const { put, folder } = await setup(makeRecords(1));
    const before = folder();
    const deep = `${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const text = JSON.stringify(makeRecord({ id: 'deep-story' })).replace(/}$/, `,"extra":${deep}}`);
    const res = await put('deep-story', text);
    expect(res.status).toBe(400);
    const problems = ((await res.json()) as { problems: { problem: string }[] }).problems;
    expect(problems.map((p) => p.problem)).toEqual(['nests arrays and objects more than 64 levels deep, the limit']);
    expect(folder()).toEqual(before);
  });
});

describe('ingest API: GET and DELETE', () => {
  it('lists articles by state: published, draft, embargoed, all', async () => {
    const { put, api } = await setup([]);
    await put('live-one', makeRecord({ id: 'live-one', published: '2025-05-01T00:00:00Z' }));
    await put('draft-one', makeRecord({ id: 'draft-one', status: 'draft' }));
    await put('later-one', makeRecord({ id: 'later-one', published: '2025-07-01T00:00:00Z' }));
    const list = async (status?: string) =>
      ((await (await api(`/articles${status ? `?status=${status}` : ''}`)).json()) as { articles: { id: string; state: string }[] }).articles.map((a) => `${a.id}:${a.state}`);
    expect(await list()).toEqual(['later-one:embargoed', 'live-one:published', 'draft-one:draft']);
    expect(await list('all')).toEqual(await list());
    expect(await list('published')).toEqual(['live-one:published']);
    expect(await list('draft')).toEqual(['draft-one:draft']);
    expect(await list('embargoed')).toEqual(['later-one:embargoed']);
    expect((await api('/articles?status=gone')).status).toBe(400);
  });

  it('gets one article with its state, 404 for an unknown id', async () => {
    const { api } = await setup();
    const res = await api('/articles/story-0002');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'story-0002', headline: 'Headline 2', state: 'published', published: '2024-01-01T00:02:00.000Z' });
    expect((await api('/articles/no-such-story')).status).toBe(404);
  });

  it('deletes an article: 204, the file is gone, the feed no longer has it; again: 404', async () => {
    const { api, feedIds, folder } = await setup();
    expect(await feedIds()).toContain('story-0001');
    const res = await api('/articles/story-0001', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(Object.keys(folder())).not.toContain('story-0001.json');
    expect(await feedIds()).not.toContain('story-0001');
    expect((await api('/articles/story-0001', { method: 'DELETE' })).status).toBe(404);
  });

  it('DELETE acts on the article with that id, wherever its file is: a.json holding "b" survives DELETE a (404), goes with DELETE b', async () => {
    const { api, feedIds, folder, data, reloader } = await setup([]);
    writeFileSync(join(data.articles, 'a.json'), JSON.stringify(makeRecord({ id: 'b', headline: 'Story b' })));
    await reloader.reload();
    expect((await api('/articles/a', { method: 'DELETE' })).status).toBe(404);
    expect(Object.keys(folder())).toEqual(['a.json']);
    expect(await feedIds()).toEqual(['b']);
    expect((await api('/articles/b', { method: 'DELETE' })).status).toBe(204);
    expect(Object.keys(folder())).toEqual([]);
    expect(await feedIds()).toEqual([]);
  });

  it('DELETE retracts an id carried by two files: the rejected twin does not become the live version', async () => {
    const { api, feedIds, folder, data, reloader, server } = await setup(makeRecords(1));
    writeFileSync(join(data.articles, 'a-first.json'), JSON.stringify(makeRecord({ id: 'twin', headline: 'First version' })));
    writeFileSync(join(data.articles, 'b-second.json'), JSON.stringify(makeRecord({ id: 'twin', headline: 'Other version' })));
    await reloader.reload();
    expect(await feedIds()).toContain('twin');
    expect((await api('/articles/twin', { method: 'DELETE' })).status).toBe(204);
    expect(Object.keys(folder())).toEqual(['story-0000.json']);
    expect(await feedIds()).toEqual(['story-0000']);
    const rss = await (await fetch(`${server.url}/rss.xml`)).text();
    expect(rss).not.toMatch(/First version|Other version/);
    expect((await api('/articles/twin')).status).toBe(404);
  });

  it('DELETE says plainly when the article is still served afterwards (a file with that id was written meanwhile): 409', async () => {
    const data = makeDataDir(makeRecords(1));
    const reloader = createReloader({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: () => undefined });
    // Another writer saves the story again under a new name between the removal and the reload.
    const reload = async (names: readonly string[]) => {
      writeFileSync(join(data.articles, 'story-0000-copy.json'), JSON.stringify(makeRecord({ id: 'story-0000', headline: 'Saved again' })));
      await reloader.reload([...names, 'story-0000-copy.json']);
    };
    const writes = createFileWrites({ dataDir: data.dir, articlesDir: data.articles, current: reloader.store.current, reload, refresh: reloader.refresh, history: createFileHistory({ dataDir: data.dir }), clock: () => NOW });
    const app = createApp({ store: { ...createHolderStore(reloader.store), remove: writes.remove }, clock: () => NOW, ingest: { token: TOKEN, maxBytes: 1024 * 1024 } });
    const server = await listen(app);
    cleanups.push(data.remove, () => reloader.close(), server.close);
    const res = await fetch(`${server.url}/api/articles/story-0000`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/still served, from .*story-0000-copy\.json/);
  });

  it('answers 405 with Allow to other methods', async () => {
    const { api } = await setup();
    const res = await api('/articles/story-0001', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toMatch(/PUT/);
  });
});
