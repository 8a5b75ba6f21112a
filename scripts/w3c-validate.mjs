#!/usr/bin/env node
/**
 * Development check, not a test: runs the W3C Feed Validation Service's own
 * code (https://github.com/w3c/feedvalidator, Python) over RSS and Atom feeds
 * of a few hundred property-generated hostile records, and prints every
 * error and warning with the record text that drew it. CI does not have the
 * validator, so nothing in `npm test` depends on this.
 *
 *   git clone https://github.com/w3c/feedvalidator /tmp/feedvalidator   # never commit it
 *   pip install html5lib                                                # the validator imports it
 *   FEEDVALIDATOR_DIR=/tmp/feedvalidator npm run validate:w3c [-- --count 300 --seed 1 --per-feed 25]
 *
 * PYTHON picks the interpreter (default python3). Exit status: 0 with no
 * errors and no warnings, 1 otherwise, 2 when the validator is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { count: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' }, 'per-feed': { type: 'string', default: '25' } } });
const count = Number(values.count);
const seed = Number(values.seed);
const perFeed = Number(values['per-feed']);

const validatorDir = process.env.FEEDVALIDATOR_DIR;
if (!validatorDir || !existsSync(join(validatorDir, 'src', 'feedvalidator', '__init__.py'))) {
  console.error('FEEDVALIDATOR_DIR must name a checkout of https://github.com/w3c/feedvalidator (it holds src/feedvalidator/). It is public; fetch it, never commit it.');
  process.exit(2);
}

// The generators are TypeScript under test/: compile everything once into a scratch folder and import from there.
const build = join(ROOT, 'test-artifacts', 'w3c-build');
rmSync(build, { recursive: true, force: true });
execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--noEmit', 'false', '--outDir', build, '--sourceMap', 'false'], { stdio: 'inherit' });
const load = (path) => import(join(build, path));
const fc = (await import('fast-check')).default;
const { articleRecord } = await load('test/property/arbitraries.js');
const { parseArticle } = await load('src/load/article.js');
const { parseSite } = await load('src/load/site.js');
const { renderFeed } = await load('src/render/render.js');

const base = 'https://feeds.example.org/w3c/';
const site = parseSite({ title: 'Harbor Light News', link: 'https://news.example.org/', language: 'en', idAuthority: 'news.example.org,2019' }, 'data/site.json', { baseUrl: 'https://feeds.example.org', fallbackBaseUrl: 'http://localhost:3000' });

// Records, as the property tests draw them; only those the loader accepts can be in a feed.
const generated = fc.sample(fc.tuple(fc.nat(), articleRecord(0)), { numRuns: count, seed }).map(([, g], i) => ({ ...g.record, id: `w3c-${i}` }));
const accepted = generated.map((record, i) => parseArticle(record, `data/articles/w3c-${i}.json`, { language: site.language }).article).filter((a) => a !== undefined);
// What the server would serve now: published, and not embargoed (a future date is never in a feed).
const now = Date.now();
const articles = accepted.filter((a) => a.status === 'published' && a.published.getTime() <= now);
console.log(`${count} generated records, ${accepted.length} accepted, ${articles.length} served now; feeds of ${perFeed} items`);

const out = join(ROOT, 'test-artifacts', 'w3c-feeds');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
const inFile = new Map();
for (let from = 0; from < articles.length; from += perFeed) {
  const page = articles.slice(from, from + perFeed);
  const updated = new Date(Math.max(...page.map((a) => a.updated.getTime())));
  for (const [format, name] of [['rss', `rss-${from}.xml`], ['atom', `atom-${from}.xml`]]) {
    const meta = { title: site.title, description: 'Generated records', links: { rss: `${base}rss-${from}.xml`, atom: `${base}atom-${from}.xml`, json: `${base}feed-${from}.json` }, updated };
    writeFileSync(join(out, name), renderFeed(format, { site, meta, articles: page }));
    files.push(join(out, name));
    inFile.set(join(out, name), page);
  }
}

const python = process.env.PYTHON ?? 'python3';
const run = spawnSync(python, [join(ROOT, 'scripts', 'w3c', 'validate.py'), validatorDir, base, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
if (run.status !== 0) {
  console.error(run.stderr);
  process.exit(2);
}
const events = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
const counted = { error: 0, warning: 0, data: 0 };
const byType = new Map();
for (const event of events) {
  if (event.level !== 'error' && event.level !== 'warning') continue;
  // The validator calls dates before 1990 (and after tomorrow) implausible: an archive story's real date, or a
  // record whose "updated" lies ahead. That is the record's data, not our output; printed, counted apart.
  if (event.type === 'ImplausibleDate') counted.data += 1;
  else counted[event.level] += 1;
  byType.set(`${event.level} ${event.type}`, (byType.get(`${event.level} ${event.type}`) ?? 0) + 1);
  console.log(`${event.level}: ${event.file.slice(out.length + 1)}: ${event.message}${event.value ? ` (value ${JSON.stringify(event.value)})` : ''}`);
}
for (const [type, n] of byType) console.log(`  ${n} × ${type}`);
console.log(`${files.length} feeds (${articles.length} items, in RSS and Atom): ${counted.error} errors, ${counted.warning} warnings (and ${counted.data} implausible dates, which are the records' own)`);
process.exit(counted.error + counted.warning === 0 ? 0 : 1);
