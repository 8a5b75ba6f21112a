import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../load/write.js';
import { readCommandLine, UsageError, withUsage, type CliIo } from './cli-io.js';

type Options = Parameters<typeof readCommandLine>[1];
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A command that keeps a file of entries each holding a secret's hash
 * (`wirefeed keys`, `wirefeed partners`): add, remove and list, the flow
 * both share. `add` prints the new secret once on standard output and
 * writes only what `make` builds from its hash.
 */
export interface SecretFileCommand<T extends { readonly id: string }> {
  readonly name: string;
  readonly usage: string;
  /** The variable naming the file when --file is not given (KEYS_FILE). */
  readonly variable: string;
  /** Options beyond --id, --file and --help. */
  readonly options: Options;
  /** Reads the file as the server does; throws `FileError` for one that cannot be used. */
  load(path: string): T[];
  readonly FileError: new (message: string) => Error;
  describe(entry: T): string;
  /** The new entry from the command line and the new secret's hash; throws `FileError` for one the server would refuse. */
  make(id: string, hash: string, values: Values): T;
  /** The file's text for these entries. */
  serialise(entries: readonly T[]): string;
  readonly messages: {
    readonly missing: (path: string, id: string) => string;
    readonly exists: (path: string, id: string) => string;
    readonly added: (entry: T, path: string) => string;
    readonly removed: (path: string, id: string) => string;
  };
}

/** Runs `command` on `argv`. Exit codes: 0 done, 1 the file cannot be used, 2 bad command line. */
export function runSecretFileCommand<T extends { readonly id: string }>(command: SecretFileCommand<T>, argv: readonly string[], io: CliIo, secrets: { make(): string; hash(secret: string): string }): Promise<number> {
  const { name, usage } = command;
  return withUsage(name, usage, io, async () => {
    const { values, positionals } = readCommandLine(argv, { ...command.options, id: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    const given = values as Values;
    if (given.help === true) {
      io.stdout(`${usage}\n`);
      return 0;
    }
    const [action, extra] = positionals;
    if (extra !== undefined || (action !== 'add' && action !== 'remove' && action !== 'list')) throw new UsageError('say add, remove or list');
    const file = typeof given.file === 'string' ? given.file : io.env[command.variable];
    if (file === undefined || file.trim() === '') throw new UsageError(`name the ${name} file with --file or ${command.variable}`);
    const path = resolve(io.cwd, file);
    let entries: T[];
    try {
      // Read as the server reads it: a folder or an unreadable file is one line.
      entries = existsSync(path) ? command.load(path) : [];
    } catch (error) {
      if (!(error instanceof command.FileError)) throw error;
      io.stderr(`wirefeed ${name}: ${error.message}\n`);
      return 1;
    }
    if (action === 'list') {
      io.stdout(entries.map((entry) => `${command.describe(entry)}\n`).join(''));
      return 0;
    }
    if (typeof given.id !== 'string') throw new UsageError('--id is required');
    const id = given.id;
    let next: T[];
    if (action === 'remove') {
      if (!entries.some((entry) => entry.id === id)) {
        io.stderr(command.messages.missing(path, id));
        return 1;
      }
      next = entries.filter((entry) => entry.id !== id);
    } else {
      if (entries.some((entry) => entry.id === id)) {
        io.stderr(command.messages.exists(path, id));
        return 1;
      }
      const secret = secrets.make();
      let entry: T;
      // Checked as the server will check it, before the file changes.
      try {
        entry = command.make(id, secrets.hash(secret), given);
      } catch (error) {
        if (!(error instanceof command.FileError)) throw error;
        throw new UsageError(error.message);
      }
      next = [...entries, entry];
      io.stdout(`${secret}\n`);
      io.stderr(command.messages.added(entry, path));
    }
    await writeFileAtomic(dirname(path), basename(path), command.serialise(next));
    if (action === 'remove') io.stderr(command.messages.removed(path, id));
    return 0;
  });
}
