import { resolve } from 'node:path';
import { readCommandLine, UsageError, wholeNumber, withUsage, type CliIo } from './cli-io.js';
import { writeCorpus, type CorpusOptions } from './gen-corpus.js';
import { createProgress } from './progress.js';
import { writeCorpusToDatabase } from './gen-corpus-database.js';
import { optionalDatabaseUrl } from '../config/config.js';
import { checkSchema } from '../store/postgres/migrations.js';
import { createPool, describeFailure, describeTarget } from '../store/postgres/pool.js';

/** The most records one run writes: 10 million is about 67 GB of files (6.7 kB a record), far past any benchmark here. */
const MAX_CORPUS_COUNT = 10_000_000;

const GEN_CORPUS_USAGE = `usage: wirefeed gen-corpus --out DIR [--count N] [--seed S] [--force] [--database]

Writes site.json and N synthetic article records (default 1000, at most
10000000) to DIR; the
same N and S always give the same bytes. --force replaces records already there.
--database writes the records straight into DATABASE_URL (migrated) instead
of DIR/articles, as sync would store them; site.json still goes to DIR.`;

/** `wirefeed gen-corpus`, with a progress bar on a terminal. */
export async function runGenCorpus(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('gen-corpus', GEN_CORPUS_USAGE, io, () => {
    const { values, positionals } = readCommandLine(argv, {
      out: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean', default: false },
      database: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${GEN_CORPUS_USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    const options: CorpusOptions = { out: resolve(io.cwd, values.out), count: wholeNumber(values.count, '--count', 1000, 1, MAX_CORPUS_COUNT), seed: wholeNumber(values.seed, '--seed', 1, 0, 2 ** 32 - 1), force: values.force ?? false };
    const bar = createProgress({ label: 'gen-corpus', write: io.stderr, interactive: io.interactive });
    const started = performance.now();
    if (values.database) return toDatabase(options, io, (done) => bar.update(done, options.count), () => bar.finish(), started);
    try {
      const { files, bytes } = writeCorpus(options, (done) => bar.update(done, options.count));
      bar.finish();
      io.stdout(`gen-corpus: wrote ${files} articles (${(bytes / 1e6).toFixed(1)} MB) and site.json to ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      return 0;
    } catch (error) {
      io.stderr(`wirefeed gen-corpus: ${(error as Error).message}\n`);
      return 1;
    }
  });
}

/** `--database`: the corpus into DATABASE_URL, with the rate printed (articles per second). */
async function toDatabase(options: CorpusOptions, io: CliIo, progress: (done: number) => void, finish: () => void, started: number): Promise<number> {
  let url: string | undefined;
  try {
    url = optionalDatabaseUrl(io.env, 'DATABASE_URL').databaseUrl;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (url === undefined) throw new UsageError('--database needs DATABASE_URL (a migrated database: npm run migrate)');
  const pool = createPool({ url, size: 2, statementTimeoutMs: 300_000 });
  try {
    await checkSchema(pool);
    const { articles, bytes } = await writeCorpusToDatabase(pool, { count: options.count, out: options.out, ...(options.seed === undefined ? {} : { seed: options.seed }) }, progress);
    finish();
    const seconds = (performance.now() - started) / 1000;
    io.stdout(`gen-corpus: wrote ${articles} articles (${(bytes / 1e6).toFixed(1)} MB of records) to ${describeTarget(url)} and site.json to ${options.out} in ${seconds.toFixed(1)} s (${Math.round(articles / seconds)} articles/s)\n`);
    return 0;
  } catch (error) {
    io.stderr(`wirefeed gen-corpus: ${describeFailure(url, error)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}
