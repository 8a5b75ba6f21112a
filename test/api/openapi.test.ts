import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/api-description/openapi.js';
import { createApp } from '../../src/http/app.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { checkAgainstDocument } from '../helpers/openapi-check.js';
import { listen } from '../helpers/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOKEN = 'openapi-token-0123456789';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator), at the root and under a mount', async () => {
    for (const prefix of ['', '/feeds']) {
      const validator = new Validator();
      const result = await validator.validate(structuredClone(buildOpenApiDocument({ prefix })) as never);
      expect(validator.version).toBe('3.1');
      expect(result.errors ?? [], prefix).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('takes the request body schema from data/article.schema.json, not a copy: a change to the file shows in the document', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'data', 'article.schema.json'), 'utf8')) as { properties: Record<string, unknown>; $defs: Record<string, unknown> };
    const schemas = (buildOpenApiDocument() as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }).components.schemas;
    expect(schemas.ArticleRecord?.properties?.headline).toEqual(file.properties.headline);
    expect(schemas.ArticleRecord?.properties?.published).toEqual({ ...(file.properties.published as object), $ref: '#/components/schemas/ArticleRecordDate' });
    expect(schemas.ArticleRecordDate).toEqual(file.$defs.date);
    const changed = { ...file, properties: { ...file.properties, kicker: { type: 'string' } } };
    const merged = (buildOpenApiDocument({ recordSchema: changed as never }) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas;
    expect(merged.ArticleRecord?.properties.kicker).toEqual({ type: 'string' });
  });

  it('the response check refuses what the document does not allow (so a passing suite means something)', () => {
    const problem = (status: number, extra: Record<string, unknown> = {}) => Buffer.from(JSON.stringify({ type: 'about:blank', title: 'x', status, detail: 'y', ...extra }));
    const json = { 'content-type': 'application/problem+json; charset=utf-8' };
    expect(checkAgainstDocument({ method: 'GET', path: '/api/articles/x', status: 404, headers: json, body: problem(404) })).toEqual([]);
    expect(checkAgainstDocument({ method: 'GET', path: '/api/articles/x', status: 409, headers: json, body: problem(409) })[0]).toMatch(/no 409 answer/);
    expect(checkAgainstDocument({ method: 'GET', path: '/api/articles/x', status: 404, headers: { 'content-type': 'application/json' }, body: problem(404) })[0]).toMatch(/content type/);
    expect(checkAgainstDocument({ method: 'GET', path: '/api/articles/x', status: 404, headers: json, body: Buffer.from('{"error":"gone"}') }).join('\n')).toMatch(/required property 'type'/);
    expect(checkAgainstDocument({ method: 'GET', path: '/api/articles', status: 401, headers: json, body: problem(401) })[0]).toMatch(/WWW-Authenticate is required/);
    expect(checkAgainstDocument({ method: 'PATCH', path: '/api/articles/x', status: 405, headers: json, body: problem(405) })[0]).toMatch(/Allow is required/);
    expect(checkAgainstDocument({ method: 'GET', path: '/api/nothing', status: 404, headers: json, body: problem(404, { extra: 1 }) })[0]).toMatch(/additional/);
  });
});

describe.each(BACKENDS)('/api/openapi.json on the $name backend', (backend) => {
  const harness = useBackend(backend);

  it('is served without a key, and is the document the tests check against', async () => {
    const opened = await harness.open([]);
    const server = await listen(createApp({ store: opened.store, log: () => undefined, ingest: { token: TOKEN, maxBytes: 4096 } }));
    cleanups.push(() => opened.close(), server.close);
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual(structuredClone(buildOpenApiDocument()));
  });

  it('mounted under /feeds in a host app, names /feeds as its server', async () => {
    const opened = await harness.open([]);
    const built = createApp({ store: opened.store, log: () => undefined, ingest: { token: TOKEN, maxBytes: 4096 } });
    const host = express();
    host.use('/feeds', built.app);
    const server = await listen({ listener: host });
    cleanups.push(() => opened.close(), server.close);
    const document = (await (await fetch(`${server.url}/feeds/api/openapi.json`)).json()) as { servers?: { url: string }[] };
    expect(document.servers).toEqual([{ url: '/feeds' }]);
    expect(document).toEqual(structuredClone(buildOpenApiDocument({ prefix: '/feeds' })));
  });
});
