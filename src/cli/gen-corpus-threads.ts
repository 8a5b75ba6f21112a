import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildCorpusBatch, type CorpusBatch, type CorpusBatchJob } from './gen-corpus-batch.js';

/** Builds batches on threads: each `build` goes to the thread with the fewest jobs waiting. */
export interface BatchBuilders {
  build(job: CorpusBatchJob): Promise<CorpusBatch>;
  close(): Promise<void>;
}

/**
 * One thread per core builds batches (generating and sanitising cost the
 * main thread 0.56 ms an article, more than the database's COPY), so the
 * main thread only feeds the database. Without the compiled worker script
 * (tests run the TypeScript sources) batches are built on the main thread.
 */
export function createBatchBuilders(threads = availableParallelism()): BatchBuilders {
  const script = new URL('./gen-corpus-worker.js', import.meta.url);
  if (threads < 1 || !existsSync(fileURLToPath(script))) {
    return { build: (job) => Promise.resolve().then(() => buildCorpusBatch(job)), close: () => Promise.resolve() };
  }
  const workers = Array.from({ length: threads }, () => ({ worker: new Worker(script), waiting: [] as { resolve: (b: CorpusBatch) => void; reject: (e: Error) => void }[] }));
  for (const entry of workers) {
    // Replies come in the order the jobs were sent: the oldest waiting job gets each.
    entry.worker.on('message', (message: { batch?: CorpusBatch; error?: string }) => {
      const next = entry.waiting.shift();
      if (message.batch !== undefined) next?.resolve(message.batch);
      else next?.reject(new Error(message.error ?? 'batch failed'));
    });
    entry.worker.on('error', (error) => {
      for (const job of entry.waiting.splice(0)) job.reject(error);
    });
    // A thread that stops (out of memory, terminated) must not leave its jobs waiting for ever.
    entry.worker.on('exit', (code) => {
      for (const job of entry.waiting.splice(0)) job.reject(new Error(`a gen-corpus thread stopped (exit code ${code})`));
    });
  }
  return {
    build(job) {
      const entry = workers.reduce((best, w) => (w.waiting.length < best.waiting.length ? w : best));
      return new Promise((resolve, reject) => {
        entry.waiting.push({ resolve, reject });
        entry.worker.postMessage(job);
      });
    },
    close: async () => {
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  };
}
