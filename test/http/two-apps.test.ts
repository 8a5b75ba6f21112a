import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSite, makeSnapshot } from '../helpers/builders.js';
import { listen } from '../helpers/server.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Two newsrooms in one process (tests, or a newsroom mounting two sites): nothing cached in one may show in the other. */
describe('two apps in one process', () => {
  it('serve their own documents: same site object, same ids and URLs, different records', async () => {
    const site = makeSite();
    const record = (headline: string) => makeRecord({ id: 'shared-id', headline, published: '2024-05-01T00:00:00Z' });
    const serve = async (headline: string) => {
      const server = await listen(createApp({ store: createSnapshotStore(makeSnapshot([record(headline)], site)), clock: () => NOW, log: () => undefined }));
      cleanups.push(server.close);
      return server.url;
    };
    const first = await serve('Only in the first newsroom');
    const second = await serve('Only in the second newsroom');
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/ninjs.json', '/']) {
      // Each app renders, caches and replays (fast path) on its own: ask each twice, interleaved.
      for (let round = 0; round < 2; round++) {
        const one = await (await fetch(`${first}${path}`)).text();
        const two = await (await fetch(`${second}${path}`)).text();
        expect(one, path).toContain('Only in the first newsroom');
        expect(one, path).not.toContain('Only in the second newsroom');
        expect(two, path).toContain('Only in the second newsroom');
        expect(two, path).not.toContain('Only in the first newsroom');
      }
    }
  });
});
