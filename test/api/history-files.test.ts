import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadSite } from '../../src/load/load-data.js';
import { createFilesStore } from '../../src/store/files/files-store.js';
import { makeDataDir, SITE_OVERRIDES } from '../live/data-dir.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRecord } from '../helpers/builders.js';
import { writeBackends } from '../helpers/write-backends.js';
import type { FilesStore } from '../../src/store/files/files-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const files = writeBackends(false)[0];

describe('history on the files backend', () => {
  it('keeps the state before the first API write and an edit made on disk since, and never serves the history folder', async () => {
    const opened = await files!.open([makeRecord({ id: 'on-disk', headline: 'As imported' })]);
    cleanups.push(opened.close);
    const store = opened.store as FilesStore;
    await store.put('on-disk', Buffer.from(JSON.stringify(makeRecord({ id: 'on-disk', headline: 'First API edit' }))));
    // An editor saves the file by hand; the next API write must keep that state too.
    writeFileSync(join(opened.dataDir, 'articles', 'on-disk.json'), JSON.stringify(makeRecord({ id: 'on-disk', headline: 'Hand edit' })));
    await store.reload();
    await store.put('on-disk', Buffer.from(JSON.stringify(makeRecord({ id: 'on-disk', headline: 'Second API edit' }))));
    const versions = await store.history.versions('on-disk');
    expect(versions.map((v) => v.action)).toEqual(['existing', 'updated', 'existing', 'updated']);
    const headlines = await Promise.all(versions.map(async (v) => (JSON.parse((await store.history.version('on-disk', v.version))?.record ?? '{}') as { headline: string }).headline));
    expect(headlines).toEqual(['As imported', 'First API edit', 'Hand edit', 'Second API edit']);
    expect(await store.remove('on-disk')).toBe(true);
    // The history folder holds four records of this id and the audit trail; a full rescan loads none of them.
    expect(readdirSync(join(opened.dataDir, 'history'))).toEqual(['audit.jsonl', 'on-disk']);
    await store.reload();
    const health = await store.health(new Date());
    expect(health.articles).toBe(0);
    expect(health.rejected).toEqual([]);
  });

  it('a write that is stored is answered as stored when the audit cannot be appended (a full disk), and the failure is logged', async () => {
    const data = makeDataDir();
    const lines: string[] = [];
    const store = createFilesStore({ dataDir: data.dir, site: loadSite(data.dir, SITE_OVERRIDES), siteOverrides: SITE_OVERRIDES, watch: false, rescanIntervalMs: 0, log: (line) => lines.push(line) });
    cleanups.push(async () => {
      await store.close();
      data.remove();
    });
    // A folder where the audit file belongs: every append fails (EISDIR), as on a full disk.
    mkdirSync(join(data.dir, 'history', 'audit.jsonl'), { recursive: true });
    const result = await store.put('unaudited', Buffer.from(JSON.stringify(makeRecord({ id: 'unaudited' }))), { actor: { keyId: 'desk', client: '203.0.113.7' } });
    expect(result).toMatchObject({ created: true, version: 1 });
    expect((await store.article('unaudited'))?.headline).toBe('Test headline');
    expect(lines).toContainEqual(expect.stringMatching(/^audit: could not record PUT unaudited \(version 1\): EISDIR/));
  });
});
