import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { DATA_CSP, MAX_URL_LENGTH, securityHeaders } from '../../src/http/guards.js';
import { createServer, DEFAULT_SERVER_LIMITS } from '../../src/http/server.js';
import { FORMATS, SERVED_FORMATS } from '../../src/render/render.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';

/**
 * Hostile requests against the real app on the real server (createServer,
 * as main.ts uses it), in production mode: every refusal is a 4xx with a
 * message, never a 500, never a stack trace or a file path.
 */
const NOW = new Date('2026-01-01T00:00:00Z');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function start(deps: Partial<AppDeps> = {}, app?: http.RequestListener): Promise<number> {
  const store = deps.store ?? createSnapshotStore(makeSnapshot([makeRecord({ id: 'first-story' }), makeRecord({ id: 'second-story', tags: ['Border trade'] })]));
  const server = createServer(app ?? createApp({ store, clock: () => NOW, production: true, log: () => {}, ...deps }).listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A request with the path sent exactly as given (fetch would normalise "..", encode, and refuse some methods). */
function request(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Nothing a client should never see: stack frames, absolute paths, module names. */
function expectNoLeak(reply: Reply): void {
  expect(reply.body).not.toMatch(/\n\s+at .+:\d+:\d+|\/work\/|\/home\/|\/etc\/passwd:|root:x:0|node_modules|\.ts:\d+|Error: /);
}

function expectRefused(reply: Reply, status: number): void {
  expect(reply.status, reply.body).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^text\/plain; charset=utf-8/);
  expect(reply.body.trim().length).toBeGreaterThan(10);
  expectNoLeak(reply);
}

/** Every served format (the format table), as the main feed and as a filtered one. */
const FEED_PATHS = SERVED_FORMATS.flatMap((format) => [`/${FORMATS[format].fileName}`, `/tags/border-trade/${FORMATS[format].fileName}`]);

describe('query parameters: every bad value is a 400 with a message', () => {
  const bad = [
    'limit=abc', 'limit=-1', 'limit=0', 'limit=101', 'limit=99999999999999999999999', 'limit=1e2', 'limit=0x10', 'limit=1.5', 'limit=%201', 'limit=%00', 'limit=',
    'limit=1&limit=2', 'limit[]=1', 'limit[a]=1', 'limit=%E2%91%A0', 'limit=%F0%9F%98%80', `limit=${'9'.repeat(1500)}`, `limit=${'x'.repeat(1900)}`,
    'since=garbage', 'since=2024-13-45', 'since=2024-01-01&since=2024-02-01', 'since[]=2024-01-01', `since=${'2'.repeat(1900)}`, 'since=%00', 'since=2016-12-31T23:59:60Z',
    'since=2024-01-01T00:00:00%2B99:00', 'since=2024-01-01T00:00:00%2B14:01', 'since=2024-01-01T00:00:00-1430', 'since=2024-01-01T00:00-23:59',
    'foo=bar', '%ZZ=1', 'limit%00=1', '__proto__=1', 'constructor=1', `${'k'.repeat(1900)}=1`,
  ];
  it.each(FEED_PATHS)('%s', async (path) => {
    const port = await start();
    for (const query of bad) {
      const reply = await request(port, 'GET', `${path}?${query}`);
      expect(reply.status, `${path}?${query.slice(0, 60)} → ${reply.body}`).toBe(400);
      expectRefused(reply, 400);
    }
    // And a good one still works.
    expect((await request(port, 'GET', `${path}?limit=1&since=2020-01-01`)).status).toBe(200);
    // Offsets in use reach +14:00 and -12:00.
    for (const since of ['2020-01-01T00:00:00%2B14:00', '2020-01-01T00:00:00-12:00', '2020-01-01T00:00:00%2B0545']) {
      expect((await request(port, 'GET', `${path}?limit=1&since=${since}`)).status, since).toBe(200);
    }
  });

  it('the news sitemap takes no query parameters: each of them is a 400 with a message', async () => {
    const port = await start();
    for (const query of [...bad, 'limit=1', 'since=2020-01-01']) {
      const reply = await request(port, 'GET', `/news-sitemap.xml?${query}`);
      expect(reply.status, `/news-sitemap.xml?${query.slice(0, 60)} → ${reply.body}`).toBe(400);
      expectRefused(reply, 400);
    }
    expect((await request(port, 'GET', '/news-sitemap.xml')).status).toBe(200);
  });

  it('10 KB values are refused: 414 when the URL is over the limit, never 500', async () => {
    const port = await start();
    const reply = await request(port, 'GET', `/rss.xml?limit=${'1'.repeat(10 * 1024)}`);
    expectRefused(reply, 414);
    expect(reply.body).toContain(`the limit is ${MAX_URL_LENGTH}`);
  });
});

describe('paths: traversal, NULs, malformed encoding, overlong', () => {
  const traversal = [
    '/sections/..%2f..%2fetc%2fpasswd/rss.xml', '/sections/..%2F..%2F..%2Fetc%2Fpasswd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/tags/%2e%2e/rss.xml',
    '/sections/..%5c..%5cetc%5cpasswd/rss.xml', '/../../etc/passwd', '/sections/./rss.xml',
  ];
  it.each(traversal)('%s is refused (400) and nothing outside the data directory is read', async (path) => {
    const port = await start();
    expectRefused(await request(port, 'GET', path), 400);
  });

  it.each(['/sections/a%00b/rss.xml', '/%00', '/rss.xml%00.json', '/tags/%0d%0aSet-Cookie:x=1/rss.xml', '/authors/%1b[31m/feed.json'])('encoded control characters: %s → 400', async (path) => {
    const port = await start();
    expectRefused(await request(port, 'GET', path), 400);
  });

  it.each(['/sections/%E0%A4%A/rss.xml', '/%', '/tags/%ZZ/atom.xml', '/authors/%C0%AF/feed.json', '/%ED%A0%80'])('malformed percent-encoding %s → 400, not 500', async (path) => {
    const port = await start();
    expectRefused(await request(port, 'GET', path), 400);
  });

  it('a URL over the limit is 414; one just under it is answered normally', async () => {
    const port = await start();
    expectRefused(await request(port, 'GET', `/sections/${'a'.repeat(MAX_URL_LENGTH)}/rss.xml`), 414);
    const under = `/sections/${'a'.repeat(MAX_URL_LENGTH - 30)}/rss.xml`;
    expect(under.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    expect((await request(port, 'GET', under)).status).toBe(404);
  });

  it(`request heads over ${DEFAULT_SERVER_LIMITS.maxHeaderSize} bytes are answered 431 by the server`, async () => {
    const port = await start();
    const reply = await request(port, 'GET', '/rss.xml', { 'X-Padding': 'p'.repeat(DEFAULT_SERVER_LIMITS.maxHeaderSize + 1) });
    expect(reply.status).toBe(431);
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`X-H${i}`, 'v'.repeat(40)]));
    expect((await request(port, 'GET', '/rss.xml', many)).status).toBe(431);
    expect((await request(port, 'GET', '/rss.xml')).status).toBe(200);
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'MKCOL'])('%s on a feed → 405 with Allow', async (method) => {
    const port = await start();
    for (const path of ['/rss.xml', '/sections/korea/atom.xml', '/healthz', '/no-such-thing']) {
      const reply = await request(port, method, path);
      expectRefused(reply, 405);
      expect(reply.headers.allow).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('HEAD is served, OPTIONS answers 204 with Allow', async () => {
    const port = await start();
    const head = await request(port, 'HEAD', '/rss.xml');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const options = await request(port, 'OPTIONS', '/rss.xml');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});

describe('security headers on every response', () => {
  it('feeds, health, 4xx and refusals all carry nosniff, Referrer-Policy and a CSP, and no X-Powered-By', async () => {
    const port = await start();
    const replies = await Promise.all(
      [
        ...SERVED_FORMATS.map((format) => ['GET', `/${FORMATS[format].fileName}`]), ['GET', '/news-sitemap.xml'], ['GET', '/healthz'], ['GET', '/nope'], ['GET', '/rss.xml?limit=x'], ['DELETE', '/rss.xml'], ['GET', '/%'],
        ['GET', `/${'a'.repeat(3000)}`], ['OPTIONS', '/rss.xml'], ['HEAD', '/atom.xml'],
      ].map(([method, path]) => request(port, method!, path!)),
    );
    for (const reply of replies) {
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(reply.headers['content-security-policy']).toBe(DATA_CSP);
      expect(reply.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('a response that sets no policy of its own gets the strictest one (nothing loads, sandboxed); a route may set its own', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/page', (_req, res) => void res.type('html').send('<!doctype html><title>x</title>'));
    app.get('/own', (_req, res) => void res.setHeader('Content-Security-Policy', "default-src 'none'").type('html').send('x'));
    const port = await start({}, app);
    const page = await request(port, 'GET', '/page');
    expect(page.headers['content-security-policy']).toBe(DATA_CSP);
    expect(DATA_CSP).toContain("default-src 'none'");
    expect(DATA_CSP).toContain('sandbox');
    expect(DATA_CSP).toContain("frame-ancestors 'none'");
    expect((await request(port, 'GET', '/own')).headers['content-security-policy']).toBe("default-src 'none'");
  });
});

describe('production error bodies', () => {
  it('an internal error is a bare 500: no message, stack or path', async () => {
    const boom: Store = {
      ...createSnapshotStore(makeSnapshot([])),
      feedPage: async () => {
        throw new Error('ENOENT: no such file or directory, open /work/secret/data/articles/x.json');
      },
    };
    const logged: string[] = [];
    const port = await start({ store: boom, log: (line) => void logged.push(line) });
    const reply = await request(port, 'GET', '/rss.xml');
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('Internal server error\n');
    expectNoLeak(reply);
    // The details go to the log, where the operator looks.
    expect(logged.join('\n')).toContain('/work/secret/data/articles/x.json');
  });

  it('outside production the 500 names the problem (for developers), still without a stack', async () => {
    const boom: Store = { ...createSnapshotStore(makeSnapshot([])), feedPage: async () => { throw new Error('broken store'); } };
    const port = await start({ store: boom, production: false });
    const reply = await request(port, 'GET', '/rss.xml');
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('Internal server error: broken store\n');
  });
});
