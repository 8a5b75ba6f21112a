import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRecord, SITE_RECORD } from '../helpers/builders.js';

/** A fresh data folder in the system temp dir, with site.json and the given records as articles/<id>.json. */
export function makeDataDir(records: readonly Record<string, unknown>[] = [], site: Record<string, unknown> = SITE_RECORD): { dir: string; articles: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-live-'));
  const articles = join(dir, 'articles');
  mkdirSync(articles);
  writeFileSync(join(dir, 'site.json'), JSON.stringify(site, null, 2));
  for (const record of records) writeFileSync(join(articles, `${String(record.id)}.json`), JSON.stringify(record, null, 2));
  return { dir, articles, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `count` valid records story-0000 … with distinct publication times (newest has the highest number). */
export function makeRecords(count: number, prefix = 'story'): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    makeRecord({ id: `${prefix}-${String(i).padStart(4, '0')}`, headline: `Headline ${i}`, published: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString() }),
  );
}

export const SITE_OVERRIDES = { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' };
