import { isEntryModule } from './entry.js';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { SiteError } from '../load/errors.js';
import { ARTICLES_DIR, loadSite } from '../load/load-data.js';
import type { Site } from '../model/types.js';
import { checkSchema } from '../store/postgres/migrations.js';
import { createPool, describeFailure } from '../store/postgres/pool.js';
import { syncFolder, type SyncReport } from '../store/postgres/sync.js';

export const SYNC_USAGE = 'usage: wirefeed sync DIR [--watch] [--prune]   (DATABASE_URL names the database)';

interface SyncArgs {
  readonly dir: string;
  readonly watch: boolean;
  readonly prune: boolean;
}

function readArgs(argv: readonly string[], fallbackDir: string): SyncArgs | string {
  let dir: string | undefined;
  let watchFlag = false;
  let prune = false;
  for (const arg of argv) {
    if (arg === '--watch') watchFlag = true;
    else if (arg === '--prune') prune = true;
    else if (arg.startsWith('-')) return `unknown option ${JSON.stringify(arg)}`;
    else if (dir === undefined) dir = arg;
    else return `one folder only, got ${JSON.stringify(dir)} and ${JSON.stringify(arg)}`;
  }
  return { dir: dir ?? fallbackDir, watch: watchFlag, prune };
}

/** The lines a run prints: each rejected file and warning as the server prints them at start, then a summary. */
function reportLines(report: SyncReport): string[] {
  const rate = report.seconds > 0 ? Math.round(report.written / report.seconds) : report.written;
  return [
    ...report.rejected.map((problem) => `rejected: ${problem.message}`),
    ...report.warnings.map((warning) => `warning: ${warning.message}`),
    `sync: ${report.files} files: ${report.written} written, ${report.unchanged} unchanged, ${report.deleted} deleted, ${report.rejected.length} rejected, in ${report.seconds.toFixed(1)} s (${rate} articles/s)`,
  ];
}

/**
 * `npm run sync -- DIR`: loads DIR/articles/*.json into the database at
 * DATABASE_URL (see src/store/postgres/sync.ts). The site's language, the
 * default of records without one, comes from DATA_DIR's site.json as the
 * server reads it (DIR's when DATA_DIR has none). `--watch` keeps syncing
 * as files change; `--prune` deletes rows whose file is gone. Exit codes:
 * 0 synced (rejected files are reported, not fatal, as at server start),
 * 1 the database or site.json cannot be used, 2 misuse.
 */
export async function runSync(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, print: (line: string) => void, signal?: AbortSignal): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      print(`sync: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const args = readArgs(argv, config.dataDir);
  if (typeof args === 'string') {
    print(`sync: ${args}; ${SYNC_USAGE}`);
    return 2;
  }
  if (config.databaseUrl === undefined) {
    print(`sync: set DATABASE_URL to the database to load; ${SYNC_USAGE}`);
    return 2;
  }
  if (!existsSync(join(args.dir, ARTICLES_DIR))) {
    print(`sync: ${args.dir} has no ${ARTICLES_DIR}/ folder; DIR must be a data folder like DATA_DIR (site.json and articles/)`);
    return 2;
  }
  let site: Site;
  try {
    const siteDir = existsSync(join(config.dataDir, 'site.json')) ? config.dataDir : args.dir;
    site = loadSite(siteDir, { ...(config.siteUrl === undefined ? {} : { baseUrl: config.siteUrl }), fallbackBaseUrl: `http://localhost:${config.port}` });
  } catch (error) {
    if (error instanceof SiteError) {
      print(`sync: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const url = config.databaseUrl;
  const pool = createPool({ url, size: 2, statementTimeoutMs: 60_000 });
  try {
    await checkSchema(pool);
    const once = async (): Promise<void> => {
      const report = await syncFolder(pool, { dataDir: args.dir, site, prune: args.prune, progress: print });
      for (const line of reportLines(report)) print(line);
    };
    await once();
    if (args.watch) await watchFolder(args.dir, once, print, signal);
    return 0;
  } catch (error) {
    print(`sync: ${describeFailure(url, error)}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Syncs again after every burst of changes in DIR/articles (fs.watch,
 * 200 ms of quiet) and every 30 s regardless (fs.watch loses events on
 * network file systems). Unchanged files cost a hash each. Runs until
 * `signal` aborts (SIGINT/SIGTERM from the command line).
 */
async function watchFolder(dir: string, once: () => Promise<void>, print: (line: string) => void, signal?: AbortSignal): Promise<void> {
  print(`sync: watching ${join(dir, ARTICLES_DIR)} for changes (Ctrl-C stops)`);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = (): void => {
    running = running.then(once).catch((error: Error) => print(`sync: ${error.message}`));
  };
  const watcher: FSWatcher = watch(join(dir, ARTICLES_DIR), () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  const rescan = setInterval(run, 30_000);
  await new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  watcher.close();
  clearInterval(rescan);
  if (timer !== undefined) clearTimeout(timer);
  await running;
}



if (isEntryModule(import.meta.url)) {
  const stop = new AbortController();
  // Only --watch runs until told to stop; a plain run keeps the default (a signal ends it at once, and
  // the chunk in flight rolls back).
  if (process.argv.includes('--watch')) {
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
  }
  runSync(process.argv.slice(2), process.env, (line) => console.error(line), stop.signal).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`wirefeed sync: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    },
  );
}
