import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { createFilesStats } from '../stats/files-stats.js';
import { createPostgresStats } from '../stats/postgres-stats.js';
import { reportDays, shiftDay, summariseFeeds, type FeedSummary } from '../stats/report.js';
import { renderReportHtml } from '../stats/report-html.js';
import { readCommandLine, UsageError, type CliIo } from './cli-io.js';

export const STATS_USAGE = `usage: wirefeed stats [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--feed /path] [--html report.html]

Readership from the counts the server stored (DATA_DIR/stats/, or PostgreSQL
when DATABASE_URL is set): feeds by subscribers, with requests and the 304
share. Default: the 7 days ending today (UTC). --html writes one
self-contained page with charts instead. See docs/readership.md.`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `wirefeed stats`: 0 done, 1 the counts could not be read or the page not written, 2 misuse. */
export async function runStats(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = readCommandLine(argv, { from: { type: 'string' }, to: { type: 'string' }, feed: { type: 'string' }, html: { type: 'string' }, help: { type: 'boolean', short: 'h' } }));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`stats: ${error.message}\n${STATS_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${STATS_USAGE}\n`);
    return 0;
  }
  const to = values.to ?? new Date().toISOString().slice(0, 10);
  const from = values.from ?? shiftDay(to, -6);
  for (const [name, day] of [['--from', from], ['--to', to]] as const) {
    if (!DAY.test(day)) {
      io.stderr(`stats: ${name} must be a UTC day as YYYY-MM-DD, got ${JSON.stringify(day)}\n`);
      return 2;
    }
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`stats: ${error.message}\n`);
    return 2;
  }
  const store = config.databaseUrl === undefined ? createFilesStats(resolve(io.cwd, config.dataDir)) : createPostgresStats(config.databaseUrl);
  try {
    const reports = reportDays(await store.read(shiftDay(from, -6), to), from, values.feed);
    const feeds = summariseFeeds(reports);
    if (values.html !== undefined) {
      const path = resolve(io.cwd, values.html);
      await writeFile(path, await renderReportHtml({ title: 'Feed readership', from, to, reports, feeds }));
      io.stdout(`stats: wrote ${path} (${feeds.length} feeds, ${from} to ${to})\n`);
      return 0;
    }
    io.stdout(feeds.length === 0 ? `stats: nothing counted from ${from} to ${to}\n` : `${formatTable(feeds, from, to)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`stats: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The terminal table: one row a feed, numbers right-aligned. */
export function formatTable(feeds: readonly FeedSummary[], from: string, to: string): string {
  const head = ['feed', 'subscribers', 'hosted', 'apps', 'requests', '304 share'];
  const rows = feeds.map((f) => [f.feed, String(f.subscribers), String(f.hostedSubscribers), String(f.individual), String(f.requests), `${(f.notModifiedShare * 100).toFixed(1)} %`]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [`Subscribers on ${to}; requests and 304 share from ${from} to ${to} (UTC)`, line(head), ...rows.map(line)].join('\n');
}
