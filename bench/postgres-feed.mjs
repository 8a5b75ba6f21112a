// Cold and warm feed-page times and the EXPLAIN plans of the main, largest-tag and deep-cursor
// statements, against a database loaded by `npm run sync` (docs/postgres.md shows the output at 100k).
// Usage: npm run build && DATABASE_URL=postgres://… DATA_DIR=DIR node bench/postgres-feed.mjs
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadSite } from '../dist/src/load/load-data.js';
import { feedPageStatement } from '../dist/src/store/postgres/feed-queries.js';
import { createPostgresStore } from '../dist/src/store/postgres/postgres-store.js';

const url = process.env.DATABASE_URL;
const dataDir = process.env.DATA_DIR ?? './data';
if (!url) throw new Error('set DATABASE_URL');
const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost:3000' });
const now = new Date();
const limit = site.feedSize;

const started = performance.now();
const store = await createPostgresStore({ url, site, dataDir });
const opened = performance.now();
const first = await store.feedPage(undefined, { limit }, now);
const cold = performance.now();
const second = await store.feedPage(undefined, { limit }, now);
const warm = performance.now();
console.log(`store opened in ${(opened - started).toFixed(1)} ms; cold main feed page (${first?.articles.length} articles) ${(cold - opened).toFixed(1)} ms; warm ${(warm - cold).toFixed(1)} ms (${second?.articles.length} articles)`);

const client = new pg.Client({ connectionString: url });
await client.connect();
const largest = (await client.query(`SELECT kind, slug, count(*)::int AS n FROM feed_entries WHERE kind = 'tag' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1`)).rows[0];
// Finding a deep position with OFFSET is fine in a benchmark; the store itself never uses OFFSET.
const deep = (await client.query(`SELECT (extract(epoch FROM published) * 1000)::bigint AS ms, id FROM articles WHERE status = 'published' AND published <= $1 ORDER BY published DESC, id OFFSET 90000 LIMIT 1`, [now.toISOString()])).rows[0];
const cases = [
  ['main feed, newest page', undefined, { limit }],
  [`largest tag (${largest.slug}, ${largest.n} articles), newest page`, { kind: 'tag', slug: largest.slug }, { limit }],
  ['main feed, deep cursor (before the 90,000th article)', undefined, { limit, before: { published: Number(deep.ms), id: deep.id } }],
  // The oldest page: its "is there an older page" test finds nothing, the case a Seq Scan would pay for in full.
  ['main feed, oldest page (after START_OF_TIME)', undefined, { limit, after: { published: -8.64e15, id: '' } }],
];
for (const [label, filter, query] of cases) {
  const t0 = performance.now();
  const page = await store.feedPage(filter, query, now);
  const t1 = performance.now();
  const { text, values } = feedPageStatement(filter, query, now);
  const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${text}`, values);
  console.log(`\n### ${label}: ${page?.articles.length} articles in ${(t1 - t0).toFixed(1)} ms\n`);
  console.log(plan.rows.map((row) => row['QUERY PLAN']).join('\n'));
}
await client.end();
await store.close();
