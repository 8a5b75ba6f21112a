/** A sync reading thread (see sync-threads.ts): takes chunks from the shared counter until none are left. */
import { parentPort, workerData } from 'node:worker_threads';
import { createChunkReader, SYNC_CHUNK, SYNC_READ_AHEAD, type SyncReadJob } from './sync-read.js';

const job = workerData as SyncReadJob & { readonly counter: SharedArrayBuffer };
const counter = new Int32Array(job.counter);
const chunks = Math.ceil(job.names.length / SYNC_CHUNK);
const readChunk = createChunkReader(job);
for (let chunk = Atomics.add(counter, 0, 1); chunk < chunks; chunk = Atomics.add(counter, 0, 1)) {
  // Back-pressure: wait while this chunk is too far ahead of what the database has taken (counter[1]).
  for (let taken = Atomics.load(counter, 1); chunk >= taken + SYNC_READ_AHEAD; taken = Atomics.load(counter, 1)) Atomics.wait(counter, 1, taken, 1000);
  const read = readChunk(chunk);
  // The chunk's COPY bytes move to the writer; only the small per-file results are copied.
  parentPort?.postMessage({ chunk, reads: read.reads }, [...read.buffers]);
}
