import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashSecret, type ApiKey } from '../../src/http/api-keys.js';
import type { GuardOptions } from '../../src/http/guards.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres } from '../helpers/postgres.js';
import { listen } from '../helpers/server.js';
import { writeBackends } from '../helpers/write-backends.js';

const available = await probePostgres();
const EDITOR = 'editor-secret-0123456789abcdef0123456789abcdef';
const KOREAN = 'korean-desk-secret-0123456789abcdef0123456789';
const KEYS: ApiKey[] = [
  { id: 'editor', hash: hashSecret(EDITOR), delete: true, audit: true },
  { id: 'korean-desk', hash: hashSecret(KOREAN), services: ['Korean'], delete: false, audit: false },
];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Entry {
  at: string;
  keyId: string | null;
  client: string;
  method: string;
  id: string;
  status: number;
  outcome: string;
  count?: number;
}
interface Body {
  detail?: string;
  since?: string;
  entries?: Entry[];
  restoredFrom?: number;
}

describe.each(writeBackends(available))('the audit trail on the $name backend', (backend) => {
  async function setup(options: { guards?: GuardOptions; records?: readonly Record<string, unknown>[] } = {}) {
    const opened = await backend.open(options.records ?? []);
    let now = new Date();
    const app = createApp({ store: opened.store, clock: () => now, ingest: { keys: KEYS, maxBytes: 1024 * 1024 }, ...(options.guards ? { guards: options.guards } : {}) });
    const server = await listen(app);
    cleanups.push(opened.close, server.close);
    const api = async (path: string, init: { method?: string; key?: string | null; headers?: Record<string, string>; body?: string } = {}) => {
      const key = init.key === undefined ? EDITOR : init.key;
      const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}/api${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: init.body }) });
      return { status: res.status, body: (res.status === 204 ? {} : await res.json()) as Body };
    };
    const audit = async () => ((await api('/audit')).body.entries ?? []).filter((e) => e.client !== 'local');
    return { api, audit, advance: (ms: number) => void (now = new Date(now.getTime() + ms)) };
  }

  it('audits a refused write whatever the length of its id', async () => {
    const { api, audit } = await setup();
    const long = 'a'.repeat(300);
    const junk = `${'x'.repeat(250)}!`;
    expect((await api(`/articles/${long}`, { method: 'PUT', body: JSON.stringify(makeRecord({ id: long })) })).status).toBe(400);
    expect((await api(`/articles/${junk}`, { method: 'DELETE' })).status).toBe(400);
    expect((await api(`/articles/${long}/restore?version=1`, { method: 'POST' })).status).toBe(400);
    const entries = await audit();
    expect(entries.map((e) => [e.method, e.id, e.status, e.keyId])).toEqual([
      ['PUT', long, 400, 'editor'],
      ['DELETE', junk, 400, 'editor'],
      ['POST', long, 400, 'editor'],
    ]);
  });

  it('a flood without a key is one line per client and minute with a count; every refused write by a key keeps its own line', async () => {
    const { api, audit, advance } = await setup();
    const record = JSON.stringify(makeRecord({ id: 'flooded', service: 'English' }));
    for (let i = 0; i < 40; i += 1) expect((await api(`/articles/flooded-${i}`, { method: 'PUT', key: null, body: record })).status).toBe(401);
    for (let i = 0; i < 20; i += 1) expect((await api('/articles/flooded', { method: 'DELETE', key: 'not-a-key-at-all' })).status).toBe(403);
    for (let i = 0; i < 3; i += 1) expect((await api('/articles/flooded', { method: 'PUT', key: KOREAN, body: record })).status).toBe(403);
    // The minute is not over: only the key's refusals are written yet.
    expect((await audit()).map((e) => [e.keyId, e.status, e.count])).toEqual([
      ['korean-desk', 403, undefined],
      ['korean-desk', 403, undefined],
      ['korean-desk', 403, undefined],
    ]);
    advance(61_000);
    const entries = await audit();
    expect(entries).toHaveLength(4);
    const tally = entries.find((e) => e.keyId === null);
    expect(tally).toMatchObject({ keyId: null, method: 'PUT', id: 'flooded-0', status: 401, count: 60 });
    expect(tally?.client).toMatch(/127\.0\.0\.1$/);
    expect(tally?.outcome).toMatch(/^refused: This API needs "Authorization: Bearer <key>"/);
    // The next minute starts a new tally.
    expect((await api('/articles/flooded', { method: 'PUT', key: null, body: record })).status).toBe(401);
    advance(61_000);
    expect((await audit()).filter((e) => e.keyId === null).map((e) => e.count)).toEqual([60, 1]);
  });

  it.each([
    ['2026-02-30', /"since" must be an ISO 8601 date/],
    ['2026-01-01junk', /"since" must be an ISO 8601 date/],
    ['2026-01-01T10:00:00+15:00', /"since" must have a UTC offset between/],
    ['yesterday', /"since" must be an ISO 8601 date/],
  ])('GET /api/audit?since=%s is a 400 naming the parameter', async (since, message) => {
    const { api } = await setup();
    const answer = await api(`/audit?since=${encodeURIComponent(since)}`);
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(message);
  });

  it('a since without an offset is UTC, as in the feeds, whatever the server zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Seoul';
    try {
      const { api } = await setup();
      const answer = await api('/audit?since=2026-01-01T10:00:00');
      expect(answer.status).toBe(200);
      expect(answer.body.since).toBe('2026-01-01T10:00:00.000Z');
      expect((await api('/audit?since=2026-01-01')).body.since).toBe('2026-01-01T00:00:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it.each([
    ['an object with toString', '{"version":{"toString":1}}'],
    ['an array', '{"version":[1]}'],
    ['a string', '{"version":"1"}'],
    ['a fraction', '{"version":1.5}'],
    ['zero', '{"version":0}'],
    ['null', '{"version":null}'],
  ])('a restore whose version is %s is a 400, and nothing is restored', async (_what, body) => {
    const { api } = await setup();
    expect((await api('/articles/kept', { method: 'PUT', body: JSON.stringify(makeRecord({ id: 'kept', headline: 'One' })) })).status).toBe(201);
    expect((await api('/articles/kept', { method: 'PUT', body: JSON.stringify(makeRecord({ id: 'kept', headline: 'Two' })) })).status).toBe(200);
    const answer = await api('/articles/kept/restore', { method: 'POST', body });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toMatch(/"version" must be a whole number from 1/);
    expect(((await api('/articles/kept')).body as { headline?: string }).headline).toBe('Two');
    const restored = await api('/articles/kept/restore', { method: 'POST', body: '{"version":1}' });
    expect(restored.status).toBe(200);
    expect(restored.body.restoredFrom).toBe(1);
  });

  it('TRUST_PROXY: the audit records the X-Forwarded-For address only when it is an IP address', async () => {
    const { api, audit } = await setup({ guards: { trustProxy: true } });
    const record = JSON.stringify(makeRecord({ id: 'proxied', service: 'English' }));
    const forwarded = ['203.0.113.9', '<script>alert(1)</script>', 'x'.repeat(8000), '2001:db8::1', '203.0.113.9:4711'];
    for (const address of forwarded) {
      expect((await api('/articles/proxied', { method: 'PUT', key: KOREAN, body: record, headers: { 'x-forwarded-for': `${address}, 10.0.0.1` } })).status).toBe(403);
    }
    const clients = (await audit()).map((e) => e.client);
    expect(clients).toEqual(['203.0.113.9', '10.0.0.1', '10.0.0.1', '2001:db8::1', '10.0.0.1']);
  });

  it('TRUST_PROXY with a rate limit: junk X-Forwarded-For values share the sending address\'s bucket', async () => {
    const { api } = await setup({ guards: { trustProxy: true, rateLimit: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await api('/audit', { headers: { 'x-forwarded-for': `junk-${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
