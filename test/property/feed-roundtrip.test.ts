import fc from 'fast-check';
import { describe, it } from 'vitest';
import { largeBody } from './arbitraries.js';
import { caseArb, checkCase, type Case } from './check-case.js';

/**
 * Any record, valid output. `FUZZ_RUNS` raises the number of runs per
 * format for a soak (default 1,000, which keeps `npm test` fast);
 * `FUZZ_SEED` replays a failing run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const LARGE_RUNS = Math.max(2, Math.round(RUNS / 500));

const options = (numRuns: number): fc.Parameters<[Case]> => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });

/** Large bodies print as their size, not their megabyte of text, when fast-check reports a counterexample. */
function withShortPrint(c: Case): Case {
  return Object.assign({ ...c }, { [fc.toStringMethod]: () => `Case(${c.records.map((r) => `body of ${String(r.record.body).length} chars, record ${JSON.stringify({ ...r.record, body: undefined })}`).join('; ')})` });
}

describe('any record is rejected with a reason, or rendered valid and whole in every served format and the news sitemap', () => {
  it(`holds for ${RUNS} generated feeds of small hostile records (each checked in every served format and the news sitemap)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(), (c) => checkCase(c)),
      options(RUNS),
    );
    // Each run renders four formats and the news sitemap and validates them: about 50 ms on a loaded machine.
  }, 30_000 + RUNS * 100);

  it(`holds for ${LARGE_RUNS} records with a body of about 1 MB`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(largeBody(1024 * 1024)).map((c) => withShortPrint({ ...c, records: c.records.slice(0, 1) })), (c) => checkCase(c)),
      options(LARGE_RUNS),
    );
  }, 30_000 + LARGE_RUNS * 5_000);
});
