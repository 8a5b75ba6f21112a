import { isEntryModule } from './entry.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { migrate, SCHEMA_VERSION } from '../store/postgres/migrations.js';
import { createPool, describeFailure, describeTarget } from '../store/postgres/pool.js';

/**
 * `npm run migrate`: creates or upgrades the PostgreSQL schema at
 * DATABASE_URL. Safe to run twice (and by two processes at once). Exit
 * codes: 0 done, 1 the database refused or cannot be reached, 2 misuse.
 */
export async function runMigrate(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, print: (line: string) => void): Promise<number> {
  if (argv.length > 0) {
    print(`migrate: takes no arguments, got ${JSON.stringify(argv[0])}; usage: DATABASE_URL=postgres://… npm run migrate`);
    return 2;
  }
  let url: string | undefined;
  try {
    url = loadConfig(env).databaseUrl;
  } catch (error) {
    if (error instanceof ConfigError) {
      print(`migrate: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (url === undefined) {
    print('migrate: set DATABASE_URL (postgres://user:password@host:5432/database) to the database to migrate');
    return 2;
  }
  const pool = createPool({ url, size: 1 });
  try {
    const applied = await migrate(pool);
    print(applied.length === 0 ? `migrate: ${describeTarget(url)} is already at schema version ${SCHEMA_VERSION}` : `migrate: ${describeTarget(url)} migrated to schema version ${SCHEMA_VERSION} (applied ${applied.join(', ')})`);
    return 0;
  } catch (error) {
    print(`migrate: ${describeFailure(url, error)}`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}


if (isEntryModule(import.meta.url)) {
  runMigrate(process.argv.slice(2), process.env, (line) => console.error(line)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`wirefeed migrate: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    },
  );
}
