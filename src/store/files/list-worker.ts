/** The thread of list-versions.ts: lists and stats the article files, posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { statListing } from './list-versions.js';

const listing = statListing((workerData as { articlesDir: string }).articlesDir);
parentPort?.postMessage(listing, [listing.versions.buffer as ArrayBuffer]);
