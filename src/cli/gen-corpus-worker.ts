/** A gen-corpus --database thread (see gen-corpus-threads.ts): builds each batch it is sent and posts it back. */
import { parentPort } from 'node:worker_threads';
import { buildCorpusBatch, type CorpusBatchJob } from './gen-corpus-batch.js';

parentPort?.on('message', (job: CorpusBatchJob) => {
  try {
    parentPort?.postMessage({ batch: buildCorpusBatch(job) });
  } catch (error) {
    parentPort?.postMessage({ error: (error as Error).message });
  }
});
