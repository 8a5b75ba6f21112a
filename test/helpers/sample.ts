import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { buildSnapshot, type Snapshot } from '../../src/store/snapshot.js';

export const SAMPLE_DIR = join(import.meta.dirname, '..', '..', 'data');
/** A fixed "now" after every sample article except the embargoed one (2099). */
export const SAMPLE_NOW = new Date('2026-11-28T12:00:00Z');

/** The sample data as the server loads it, with the public URL fixed for reproducible output. */
export function loadSample(): Snapshot {
  const site = loadSite(SAMPLE_DIR, { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' });
  return buildSnapshot(site, loadArticleFiles(SAMPLE_DIR, site), 1);
}

/** The raw sample records, by id, as written on disk. */
export function sampleRecords(): Map<string, Record<string, unknown>> {
  const dir = join(SAMPLE_DIR, 'articles');
  const records = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
    records.set(String(record.id), record);
  }
  return records;
}
