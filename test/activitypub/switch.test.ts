import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityPubOf, appDepsOf } from '../../src/assemble.js';
import { loadConfig } from '../../src/config/config.js';
import { createWirefeed } from '../../src/create-wirefeed.js';
import { createApp } from '../../src/http/app.js';
import { loadSite } from '../../src/load/load-data.js';
import { createLogger } from '../../src/observe/logger.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';
import { makeDataDir } from '../live/data-dir.js';

/** The server as main.ts assembles it from the environment, answering WebFinger for @korea or not. */
async function webfinger(env: Record<string, string>): Promise<{ status: number; links: string }> {
  const data = makeDataDir([makeRecord()], SITE_RECORD);
  const overrides = { baseUrl: 'https://news.example.org', fallbackBaseUrl: 'http://localhost:3000' };
  const config = loadConfig({ DATA_DIR: data.dir, SITE_URL: overrides.baseUrl, ...env });
  const store = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, overrides), siteOverrides: overrides, watch: false, rescanIntervalMs: 0, log: () => undefined });
  const log = () => undefined;
  const activitypub = await activityPubOf(config, store, log);
  const server = await listen(createApp(appDepsOf(config, { store, log, logger: createLogger({ level: 'silent', pretty: false }), ...(activitypub ? { activitypub } : {}) })));
  try {
    const response = await fetch(`${server.url}/.well-known/webfinger?resource=acct:korea@news.example.org`);
    return { status: response.status, links: await response.text() };
  } finally {
    await server.close();
    await activitypub?.close();
    await store.close();
    data.remove();
  }
}

describe('ACTIVITYPUB turns the actors on', () => {
  it('off by default: no WebFinger', async () => {
    expect((await webfinger({})).status).toBe(404);
  });

  it('ACTIVITYPUB=true: @korea on SITE_URL\'s host is found', async () => {
    const found = await webfinger({ ACTIVITYPUB: 'true' });
    expect(found.status).toBe(200);
    expect(found.links).toContain('https://news.example.org/ap/actors/korea');
  });
});

describe('createWirefeed with activitypub', () => {
  it('refuses a siteUrl with a path, where WebFinger could never be reached', async () => {
    const data = makeDataDir([makeRecord()], SITE_RECORD);
    try {
      await expect(createWirefeed({ dataDir: data.dir, siteUrl: 'https://news.example.org/feeds', activitypub: true })).rejects.toThrow(/option activitypub needs the router mounted at the root of its host/);
    } finally {
      data.remove();
    }
  });
});
