import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/api-description/openapi.js';
import { createApp } from '../../src/http/app.js';
import { hashSecret } from '../../src/http/api-keys.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { apiRoutes } from '../helpers/api-routes.js';
import { createHolderStore } from '../../src/store/files/files-store.js';
import { createSnapshotHolder } from '../../src/store/snapshot.js';
import { makeSnapshot } from '../helpers/builders.js';
import type { StatsStore } from '../../src/stats/day-stats.js';

/**
 * Every route the app answers under /api, read from Express itself, is in
 * /api/openapi.json with its method. A route added without its description
 * (a stats or partners endpoint, say) fails here, naming it.
 */
const described = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;

describe('the OpenAPI document describes every /api route', () => {
  // The app with everything that can add routes switched on: the ingest API with scoped keys, metrics, readership.
  const { app } = createApp({
    store: createHolderStore(createSnapshotHolder(makeSnapshot([]))),
    log: () => undefined,
    metrics: createMetrics(),
    ingest: { token: 'routes-token-0123456789', keys: [{ id: 'desk', hash: hashSecret('desk-secret'), delete: false, audit: false }], maxBytes: 4096 },
    // Readership on (STATS, the default): adds GET /api/stats. Never read here, so an empty store of days will do.
    stats: { read: async () => [], add: async () => undefined } as unknown as StatsStore,
  });
  const routes = apiRoutes(app);

  it('finds the routes (the enumeration itself works)', () => {
    expect(routes).toContainEqual({ method: 'put', path: '/api/articles/{id}' });
    expect(routes).toContainEqual({ method: 'get', path: '/api/openapi.json' });
  });

  it('a route or router added under /api without a description is found (what the tests below fail on)', () => {
    const { app: grown } = createApp({ store: createHolderStore(createSnapshotHolder(makeSnapshot([]))), log: () => undefined, ingest: { token: 'routes-token-0123456789', maxBytes: 4096 } });
    grown.get('/api/stats-by-hour', (_req, res) => void res.json({}));
    grown.use('/api/partners', (_req, res) => void res.json({}));
    expect(apiRoutes(grown).filter((r) => described[r.path] === undefined)).toEqual([
      { method: 'get', path: '/api/stats-by-hour' },
      { method: 'use', path: '/api/partners' },
    ]);
  });

  it.each(apiRoutes(app).map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s is described', (_name, route) => {
    const item = described[route.path];
    expect(item, `${route.path} is not in the document's paths`).toBeDefined();
    // `all` is a path's catch-all (405 with Allow for the methods it does not answer): the path being described is enough.
    if (route.method !== 'all' && route.method !== 'use') expect(Object.keys(item ?? {}), `${route.method.toUpperCase()} ${route.path}`).toContain(route.method);
  });

  it('describes no route the app does not have', () => {
    const answered = new Set(routes.filter((r) => r.method !== 'all').map((r) => `${r.method} ${r.path}`));
    const listed = Object.entries(described).flatMap(([path, item]) => Object.keys(item).filter((key) => key !== 'parameters').map((method) => `${method} ${path}`));
    expect(listed.filter((entry) => !answered.has(entry))).toEqual([]);
  });
});
