import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../../src/model/types.js';
import { migrate } from '../../src/store/postgres/migrations.js';
import { createPool, type Pool } from '../../src/store/postgres/pool.js';
import { SYNC_CHUNK } from '../../src/store/postgres/sync-read.js';
import { syncFolder } from '../../src/store/postgres/sync.js';
import { makeRecord } from '../helpers/builders.js';
import { probePostgres, useScratchDatabase } from '../helpers/postgres.js';

const available = await probePostgres();
const SITE = { title: 'Chunks', url: 'https://news.example.org', language: 'en' } as unknown as Site;
/** Files enough for three chunks: the first and the last file are written in different transactions. */
const COUNT = 2 * SYNC_CHUNK + 10;

const name = (i: number) => `f-${String(i).padStart(4, '0')}.json`;
const record = (id: string, headline: string) => makeRecord({ id, headline, url: `https://news.example.org/${id}.html`, tags: [`Tag ${id}`] });

describe.skipIf(!available)('sync across chunks', () => {
  const database = useScratchDatabase();
  let dir: string;
  let pool: Pool;
  const rows = async () => (await pool.query<{ id: string; file: string; headline: string }>(`SELECT id, file, article->>'headline' AS headline FROM articles ORDER BY id`)).rows;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirefeed-sync-chunks-'));
    mkdirSync(join(dir, 'articles'));
    pool = createPool({ url: database.url() });
    await migrate(pool);
    for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, 'articles', name(i)), JSON.stringify(record(`story-${i}`, `Story ${i}`)));
    expect((await syncFolder(pool, { dataDir: dir, site: SITE })).written).toBe(COUNT);
  });
  afterAll(async () => {
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an id that a file in an earlier chunk took over from a file in a later one', async () => {
    const last = COUNT - 1;
    // The first file now holds the last file's article (edited); the last file holds a new one.
    writeFileSync(join(dir, 'articles', name(0)), JSON.stringify(record(`story-${last}`, 'Moved to the first file')));
    writeFileSync(join(dir, 'articles', name(last)), JSON.stringify(record('story-new', 'A new story in the last file')));
    const report = await syncFolder(pool, { dataDir: dir, site: SITE });
    expect(report.rejected).toEqual([]);
    expect(report.written).toBe(2);
    // story-0 lost its file: gone, as from the files backend; story-{last} now comes from the first file.
    expect(report.deleted).toBe(1);
    const stored = await rows();
    expect(stored).toHaveLength(COUNT);
    expect(stored.find((row) => row.id === `story-${last}`)).toEqual({ id: `story-${last}`, file: name(0), headline: 'Moved to the first file' });
    expect(stored.find((row) => row.id === 'story-new')).toEqual({ id: 'story-new', file: name(last), headline: 'A new story in the last file' });
    expect(stored.find((row) => row.id === 'story-0')).toBeUndefined();
    const entries = await pool.query<{ article_id: string }>(`SELECT article_id FROM feed_entries WHERE kind = 'tag' AND slug = $1`, [`tag-story-${last}`]);
    expect(entries.rows).toEqual([{ article_id: `story-${last}` }]);
    // And a second run finds nothing to do.
    const again = await syncFolder(pool, { dataDir: dir, site: SITE });
    expect({ written: again.written, deleted: again.deleted, unchanged: again.unchanged }).toEqual({ written: 0, deleted: 0, unchanged: COUNT });
  });
});
