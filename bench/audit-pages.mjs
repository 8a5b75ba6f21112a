// `npm run build && node bench/audit-pages.mjs [--lines N]`: the time GET /api/audit spends reading one page
// (1,000 entries) of the files backend's audit trail, DATA_DIR/history/audit.jsonl, of N lines (default
// 1,000,000, about 200 MB): the first page, a middle one and the last, by the paged reader
// (store/files/audit-trail.ts) and by reading the whole file and filtering it, as it was read before.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditSince } from '../dist/src/store/files/audit-trail.js';

const args = process.argv.slice(2);
const linesArg = args.indexOf('--lines');
const LINES = linesArg >= 0 ? Number(args[linesArg + 1]) : 1_000_000;
const PAGE = 1000;
const START = Date.parse('2026-01-01T00:00:00Z');

const dir = mkdtempSync(join(tmpdir(), 'wirefeed-audit-bench-'));
const path = join(dir, 'audit.jsonl');
try {
  const out = createWriteStream(path);
  for (let i = 0; i < LINES; i += 1) {
    const line = { at: new Date(START + i * 100).toISOString(), keyId: 'editor', client: '192.0.2.1', method: 'PUT', id: `story-${i % 5000}`, status: 200, outcome: 'updated', version: 1 + Math.floor(i / 5000) };
    if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise((resolve) => out.end(resolve));

  const wholeFile = async (since) => {
    const entries = [];
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line === '') continue;
      const parsed = JSON.parse(line);
      if (Date.parse(parsed.at) <= since.getTime()) continue;
      entries.push(parsed);
      if (entries.length >= PAGE) break;
    }
    return entries;
  };
  const time = async (read, since) => {
    const runs = [];
    for (let i = 0; i < 5; i += 1) {
      const t = performance.now();
      await read(since);
      runs.push(performance.now() - t);
    }
    return runs.sort((a, b) => a - b)[2];
  };
  console.log(`audit trail of ${LINES.toLocaleString('en')} lines; median of 5 reads of one page of ${PAGE}`);
  for (const [name, line] of [['first page', -1], ['middle page', Math.floor(LINES / 2)], ['last page', LINES - PAGE - 1]]) {
    const since = new Date(START + line * 100);
    const paged = await time((s) => readAuditSince(path, s, PAGE), since);
    const whole = await time(wholeFile, since);
    console.log(`${name.padEnd(12)} paged ${paged.toFixed(1).padStart(8)} ms   whole file ${whole.toFixed(1).padStart(8)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
