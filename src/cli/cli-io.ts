import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Everything a command touches from outside, injected so tests run commands in-process. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stderr is a terminal: long work draws a progress bar there instead of writing plain lines. */
  readonly interactive: boolean;
}

/** One subcommand of `wirefeed`: its name, the line `wirefeed --help` shows, and what runs it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Returns the exit code: 0 done, 1 the work failed, 2 bad command line. */
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>;
}

/** The command line cannot be used; exit code 2, one line saying what is wrong, then the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
/** Named, so the build's declaration files (the package's types) can spell it. */
type ParsedCommandLine<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/**
 * node:util parseArgs with strict checking, its errors turned into one
 * short UsageError line (its own messages run to several sentences).
 */
export function readCommandLine<O extends Options>(argv: readonly string[], options: O): ParsedCommandLine<O> {
  try {
    return parseArgs({ args: negativeValuesJoined(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
    if (missing) throw new UsageError(`option ${missing[1]?.replace(/^-\w, /, '')} needs a value`);
    throw new UsageError(message.split('\n')[0] ?? message);
  }
}

/**
 * `--count -5` as `--count=-5`: parseArgs calls a value that starts with a
 * dash "ambiguous", which told nobody that the count must be positive; joined,
 * the option's own check says what it must be.
 */
function negativeValuesJoined(argv: readonly string[], options: Options): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  return args;
}

/** Runs `body`, turning a UsageError into exit code 2 with the message and the usage on stderr. */
export async function withUsage(name: string, usage: string, io: CliIo, body: () => Promise<number> | number): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`wirefeed ${name}: ${error.message}\n${usage}\n`);
    return 2;
  }
}

/** A whole number option within bounds, or a UsageError naming the option. */
export function wholeNumber(value: string | undefined, option: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${option} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** The IO of the real process. */
export function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
  };
}
