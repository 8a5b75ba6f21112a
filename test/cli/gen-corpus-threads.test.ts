import { describe, expect, it } from 'vitest';
import { buildCorpusBatch } from '../../src/cli/gen-corpus-batch.js';
import { builtFile } from '../server/build.js';

describe('gen-corpus --database batches built on threads (compiled, as npm run gen-corpus runs it)', () => {
  it('gives the rows, articles and byte counts of the same batches built in-process, whichever thread builds them', async () => {
    const built = (await import(builtFile('src/cli/gen-corpus-threads.ts'))) as typeof import('../../src/cli/gen-corpus-threads.js');
    const builders = built.createBatchBuilders(2);
    try {
      const jobs = [0, 40, 80, 120].map((start) => ({ seed: 7, start, end: start + 40, out: '/tmp/corpus' }));
      const threaded = await Promise.all(jobs.map((job) => builders.build(job)));
      threaded.forEach((batch, i) => {
        const local = buildCorpusBatch(jobs[i] as (typeof jobs)[number]);
        expect(batch.bytes).toBe(local.bytes);
        expect(batch.rows).toEqual(local.rows);
        expect(batch.articles).toEqual(local.articles);
      });
      // Content hashes are of the bytes a files corpus would hold: the row of record 41 is record 41's.
      expect(threaded[1]?.rows[1]?.id).toBe(buildCorpusBatch({ seed: 7, start: 41, end: 42, out: '/tmp/corpus' }).rows[0]?.id);
    } finally {
      await builders.close();
    }
  });
});
