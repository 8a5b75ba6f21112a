import { resolve } from 'node:path';
import { readCommandLine, UsageError, wholeNumber, withUsage, type CliIo } from './cli-io.js';
import { writeCorpus, type CorpusOptions } from './gen-corpus.js';
import { createProgress } from './progress.js';

export const GEN_CORPUS_USAGE = `usage: wirefeed gen-corpus --out DIR [--count N] [--seed S] [--force]

Writes site.json and N synthetic article records (default 1000) to DIR; the
same N and S always give the same bytes. --force replaces records already there.`;

/** `wirefeed gen-corpus`, with a progress bar on a terminal. */
export async function runGenCorpus(argv: readonly string[], io: CliIo): Promise<number> {
  return withUsage('gen-corpus', GEN_CORPUS_USAGE, io, () => {
    const { values, positionals } = readCommandLine(argv, {
      out: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`${GEN_CORPUS_USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    const options: CorpusOptions = { out: resolve(io.cwd, values.out), count: wholeNumber(values.count, '--count', 1000, 1), seed: wholeNumber(values.seed, '--seed', 1, 0, 2 ** 32 - 1), force: values.force ?? false };
    const bar = createProgress({ label: 'gen-corpus', write: io.stderr, interactive: io.interactive });
    const started = performance.now();
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
