// File churn for scripts/soak.mjs, run as its own process:
//   node scripts/soak-mutate.mjs <dataDir> <seconds>
// Every 100 ms: rewrites a sample article (new headline and `updated`, in
// place or by rename), adds a new article, or deletes one it added. Never
// removes the sample articles, so every filtered feed the load generator
// asks for keeps existing. Prints one JSON line with the counts.
import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dataDir, secondsText = '60'] = process.argv.slice(2);
const articles = join(dataDir, 'articles');
const until = Date.now() + Number(secondsText) * 1000;
const samples = readdirSync(articles).filter((n) => n.endsWith('.json'));
const originals = new Map(samples.map((n) => [n, JSON.parse(readFileSync(join(articles, n), 'utf8'))]));
const added = [];
const counts = { rewrites: 0, adds: 0, deletes: 0, ticks: 0 };
let tick = 0;

function rewrite() {
  const name = samples[tick % samples.length];
  const record = { ...originals.get(name) };
  if (record.status === 'draft' || record.published?.startsWith('2099')) return;
  record.headline = `${String(record.headline).slice(0, 200)} (rev ${tick})`;
  record.updated = new Date(Date.UTC(2024, 0, 1) + tick * 1000).toISOString();
  const text = `${JSON.stringify(record, null, 2)}\n`;
  if (tick % 3 === 0) writeFileSync(join(articles, name), text);
  else {
    writeFileSync(join(articles, `.${name}.tmp`), text);
    renameSync(join(articles, `.${name}.tmp`), join(articles, name));
  }
  counts.rewrites += 1;
}

function add() {
  const id = `soak-${tick}`;
  const record = {
    id,
    url: `https://news.example.org/soak/${id}.html`,
    headline: `Soak story ${tick} <with> "markup" & ]]> in it`,
    body: `<p>Story ${tick}.</p><script>alert(1)</script>`,
    published: new Date(Date.UTC(2023, 0, 1) + tick * 60_000).toISOString(),
    section: 'Korea',
    tags: ['North Korea'],
    credits: [{ name: 'Min-seo Park', role: 'reporter' }],
  };
  writeFileSync(join(articles, `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  added.push(`${id}.json`);
  counts.adds += 1;
}

function remove() {
  const name = added.shift();
  if (name === undefined) return add();
  unlinkSync(join(articles, name));
  counts.deletes += 1;
}

await new Promise((resolve) => {
  const timer = setInterval(() => {
    if (Date.now() >= until) {
      clearInterval(timer);
      resolve();
      return;
    }
    tick += 1;
    counts.ticks += 1;
    const op = tick % 4;
    if (op === 0 || op === 2) rewrite();
    else if (op === 1 || added.length < 5) add();
    else remove();
  }, 100);
});
process.stdout.write(`${JSON.stringify(counts)}\n`);
