/** A loader thread of parallel-load.ts: takes chunks from the shared counter until none are left. */
import { parentPort, workerData } from 'node:worker_threads';
import { CHUNK_SIZE, readChunk, takeChunk, toPosted, type LoadJob } from './parallel-load.js';

const job = workerData as LoadJob;
const counter = new Int32Array(job.counter);
const chunks = Math.ceil(job.names.length / CHUNK_SIZE);
for (let chunk = takeChunk(counter); chunk < chunks; chunk = takeChunk(counter)) {
  parentPort?.postMessage({ chunk, reads: readChunk(job, chunk).map(toPosted) });
}
