/** A loader thread of parallel-load.ts: takes chunks from the shared counter until none are left. */
import { parentPort, workerData } from 'node:worker_threads';
import { createLoadMemo } from './load-memo.js';
import { CHUNK_SIZE, readChunk, takeChunk, toPosted, type LoadJob } from './parallel-load.js';

const job = workerData as LoadJob;
const counter = new Int32Array(job.counter);
const chunks = Math.ceil(job.names.length / CHUNK_SIZE);
// This thread's own: a thread lives for one load, and memos cannot cross threads.
const memo = createLoadMemo();
for (let chunk = takeChunk(counter); chunk < chunks; chunk = takeChunk(counter)) {
  parentPort?.postMessage({ chunk, reads: readChunk(job, chunk, memo).map(toPosted) });
}
