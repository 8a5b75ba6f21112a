import { runExportCommand } from './export.js';
import { runGenCorpus } from './gen-corpus-command.js';
import { runImport } from './import.js';
import { runLint } from './lint.js';
import { runServe } from './serve.js';
import type { CliIo, Command } from './cli-io.js';
import { runMigrate } from './migrate.js';
import { runSync, SYNC_USAGE } from './sync.js';
import { runKeys } from './keys.js';
import { runPartners } from './partners.js';
import { runStats } from './stats.js';

const MIGRATE_USAGE = 'usage: wirefeed migrate   (DATABASE_URL names the database)\n\nCreates or upgrades the PostgreSQL schema; safe to run twice.';

/** `--help` for the commands whose runner takes plain arguments. */
function withHelp(argv: readonly string[], io: CliIo, usage: string, run: () => Promise<number>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${usage}\n`);
    return Promise.resolve(0);
  }
  return run();
}

/**
 * The subcommands of `wirefeed`, in the order `--help` lists them. A new
 * command is one row: a module exporting `run(argv, io)`.
 */
export const COMMANDS: readonly Command[] = [
  { name: 'serve', summary: 'serve the feeds, pages and APIs over HTTP (npm start)', run: runServe },
  { name: 'import', summary: 'turn a story published as plain text into an article record', run: (argv, io) => Promise.resolve(runImport({ ...io, argv })) },
  { name: 'export', summary: 'write every feed and page as static files, with .gz and .br', run: runExportCommand },
  { name: 'lint', summary: 'check records and site.json; print file:line:column: field: problem', run: runLint },
  { name: 'sync', summary: 'load a folder of article files into PostgreSQL (DATABASE_URL); --watch, --prune', run: (argv, io) => withHelp(argv, io, SYNC_USAGE, () => runSync(argv, io.env, (line) => io.stdout(`${line}\n`))) },
  { name: 'migrate', summary: 'create or upgrade the PostgreSQL schema at DATABASE_URL (safe to run twice)', run: (argv, io) => withHelp(argv, io, MIGRATE_USAGE, () => runMigrate(argv, io.env, (line) => io.stdout(`${line}\n`))) },
  { name: 'keys', summary: 'add, remove or list the scoped API keys in KEYS_FILE (add prints the secret once)', run: runKeys },
  { name: 'partners', summary: 'add, remove or list the partners in PARTNERS_FILE and their private feeds (add prints the key once)', run: runPartners },
  { name: 'stats', summary: 'readership: feeds by subscribers, requests and 304 share; --html writes a report with charts', run: runStats },
  { name: 'gen-corpus', summary: 'write a synthetic corpus of article records for benchmarks', run: runGenCorpus },
];

export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `usage: wirefeed <command> [options]

A syndication feed server for newsrooms: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from article records.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run wirefeed <command> --help for a command's options.
Settings come from the environment (DATA_DIR, SITE_URL, PORT, LOG_LEVEL, …): see README.md.`;
}

/** Dispatches to a subcommand; returns the exit code (2 for a bad command line). */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    if (topic) return topic.run(['--help'], io);
    (name === undefined ? io.stderr : io.stdout)(`${usage(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${await packageVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`wirefeed: ${name.startsWith('-') ? `unknown option ${name}` : `unknown command ${JSON.stringify(name)}`}\n${usage(commands)}\n`);
    return 2;
  }
  return command.run(rest, io);
}

async function packageVersion(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // Run from src/ (tests) or from dist/src/ (the bin): the package file is two or three folders up.
    }
  }
  return 'unknown';
}
