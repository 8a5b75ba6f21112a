import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createChunkReader, SYNC_CHUNK, SYNC_READ_AHEAD, type SyncRead, type SyncReadJob } from './sync-read.js';

/**
 * The article files of a sync, read and sanitised on every core, yielded
 * chunk by chunk in file-name order (duplicate ids are settled in that
 * order, as the loader settles them). Reading threads take chunks from
 * one shared counter while the main thread only hands the chunks' bytes to
 * the database: when it also read a chunk whenever the next one was late,
 * both writes waited for it for as long (a quarter of a second), and a
 * 100,000-file sync ran 5-7 % slower on two cores. Without reading threads
 * (the compiled worker script is missing when tests run the TypeScript
 * sources, or there are only a few chunks) the main thread reads
 * everything, between writes.
 */
export async function* readFolderForSync(job: SyncReadJob, threads?: number): AsyncGenerator<readonly SyncRead[]> {
  const chunks = Math.ceil(job.names.length / SYNC_CHUNK);
  const script = new URL('./sync-worker.js', import.meta.url);
  const count = existsSync(fileURLToPath(script)) && chunks > 2 ? (threads ?? Math.min(3, Math.max(1, availableParallelism() - 1))) : 0;
  // [0]: the next chunk to read; [1]: the next chunk to hand to the writer (reading threads wait on it).
  const counter = new SharedArrayBuffer(8);
  const shared = new Int32Array(counter);
  const results = new Map<number, readonly SyncRead[]>();
  const readChunk = createChunkReader(job);
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = 0;
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(script, { workerData: { ...job, counter } });
    worker.on('message', (message: { chunk: number; reads: SyncRead[] }) => {
      results.set(message.chunk, message.reads);
      wake?.();
    });
    worker.on('error', (error) => {
      failure = error;
      wake?.();
    });
    worker.on('exit', () => {
      exited += 1;
      wake?.();
    });
    return worker;
  });
  try {
    for (let next = 0; next < chunks; next++) {
      for (;;) {
        if (failure !== undefined) throw failure;
        const ready = results.get(next);
        // A thread delivers its messages before it exits: with every thread gone, a missing chunk never comes.
        if (ready === undefined && count > 0 && exited === count) throw new Error(`sync: the reading threads stopped before file chunk ${next + 1} of ${chunks}`);
        if (ready !== undefined) {
          results.delete(next);
          yield ready;
          Atomics.store(shared, 1, next + 1);
          Atomics.notify(shared, 1);
          break;
        }
        // Without threads the main thread reads, within the same window; between chunks it lets the writes
        // go on (a synchronous loop would read the whole folder before writing any).
        if (count === 0 && Atomics.load(shared, 0) < Math.min(chunks, next + SYNC_READ_AHEAD)) {
          const mine = Atomics.add(shared, 0, 1);
          if (mine < chunks) {
            results.set(mine, readChunk(mine).reads);
            await yieldToEventLoop();
            continue;
          }
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
