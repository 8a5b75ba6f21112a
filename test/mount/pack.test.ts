import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parseXml } from '../helpers/parse.js';
import { SAMPLE_DIR } from '../helpers/sample.js';
import { builtFile } from '../server/build.js';

/**
 * The package as a newsroom installs it: `npm pack`, the tarball installed
 * into a scratch Express app, wirefeed mounted under /feeds, /feeds/rss.xml
 * fetched and read as RSS. Dependencies come from the npm cache (`npm ci`
 * fills it); without them and without a registry the test is skipped with a
 * message, unless WIREFEED_REQUIRE_PACK=1.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SITE_URL = 'https://news.example.org/feeds';
const work = mkdtempSync(join(tmpdir(), 'wirefeed-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 90_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/**
 * The package folder as `npm pack` sees it after `npm run build`: the
 * sources with dist/src from the tests' shared build (compiled once, with the
 * declarations, by the build config), so packing never rewrites dist/ under
 * other tests that run it.
 */
function stagePackage(): string {
  const build = dirname(builtFile('src/index.ts'));
  const stage = join(work, 'package');
  const skip = new Set(['node_modules', 'dist', 'test-artifacts', '.git', 'coverage']);
  cpSync(ROOT, stage, { recursive: true, filter: (source) => !(dirname(source) === ROOT && skip.has(basename(source))) });
  cpSync(build, join(stage, 'dist', 'src'), { recursive: true });
  // What `npm run build` writes after compiling: dist/openapi.json (scripts/write-openapi.ts).
  const written = run(process.execPath, [builtFile('scripts/write-openapi.ts'), join(stage, 'dist', 'openapi.json')], ROOT);
  if (!written.ok) throw new Error(written.out);
  return stage;
}

const SERVE = `import express from 'express';
import { createWirefeed } from 'wirefeed';
const [dataDir, cacheDir] = process.argv.slice(2);
const { router, ready, close } = await createWirefeed({ dataDir, cacheDir, siteUrl: '${SITE_URL}', watch: false, rescanInterval: 0, logLevel: 'silent' });
await ready;
const app = express();
app.use('/feeds', router);
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/feeds/rss.xml');
  process.stdout.write(JSON.stringify({ status: res.status, type: res.headers.get('content-type'), body: await res.text() }));
  server.close();
  await close();
});
`;

/** A TypeScript host: the package's types resolve through "exports", the router mounts, a misspelt option is refused. */
const CONSUMER = `import express from 'express';
import { createWirefeed, type WirefeedOptions } from 'wirefeed';
const options: WirefeedOptions = { dataDir: './data', siteUrl: '${SITE_URL}', feedMaxAge: 120 };
const { router, close } = await createWirefeed(options);
express().use('/feeds', router);
await close();
// @ts-expect-error an unknown option is a type error
await createWirefeed({ feedMaxAg: 5 });
`;

/**
 * A client of the API typed by openapi-typescript from the shipped document:
 * its error type and the package's ProblemDetails are the same shape both
 * ways, and a PUT body is the record schema of data/article.schema.json.
 */
const CLIENT = `import type { components, paths } from './wirefeed-api.js';
import { PROBLEM_MEDIA_TYPE, type ProblemDetails, type RecordProblem } from 'wirefeed';
type Problem = components['schemas']['Problem'];
export const fromPackage = (p: ProblemDetails): Problem => p;
export const fromDocument = (p: Problem): ProblemDetails => p;
export const problem = (p: components['schemas']['RecordProblem']): RecordProblem => p;
export const mediaType: 'application/problem+json' = PROBLEM_MEDIA_TYPE;
type Put = paths['/api/articles/{id}']['put'];
type SentRecord = Put['requestBody']['content']['application/json'];
export const record: SentRecord = { id: 'harbor-dredging', url: 'https://news.example.org/harbor.html', headline: 'Harbor dredging', body: '<p>Work starts.</p>', published: '2026-12-01T09:00:00Z' };
// @ts-expect-error headline is required by data/article.schema.json
export const headless: SentRecord = { id: 'harbor-dredging', url: 'https://news.example.org/harbor.html', body: '<p>x</p>', published: '2026-12-01T09:00:00Z' };
export const refused = (answer: Put['responses'][400]['content']['application/problem+json']): readonly RecordProblem[] => answer.problems ?? [];
export const created = (answer: Put['responses'][201]['content']['application/json']): string => answer.warnings.map((w) => w.problem).join('; ') + answer.state;
`;

describe('npm pack, install and mount', () => {
  it('packs dist, types, public assets and schemas; a scratch Express app mounts it under /feeds and serves valid RSS', async (ctx) => {
    const stage = stagePackage();
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage);
    expect(packed.ok, packed.out).toBe(true);
    const [info] = JSON.parse(packed.out.slice(packed.out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    const files = new Set(info?.files.map((f) => f.path));
    for (const needed of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/load/load-worker.js', 'dist/openapi.json', 'bin/wirefeed.js', 'public/embed.js', 'public/site.css', 'data/article.schema.json', 'README.md']) {
      expect(files.has(needed), needed).toBe(true);
    }
    expect([...files].filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('data/articles/') || f.endsWith('.map'))).toEqual([]);

    const app = join(work, 'app');
    mkdirSync(app);
    const express = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.express;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-newsroom', private: true, type: 'module', dependencies: { express, wirefeed: `file:${join(work, info?.filename ?? '')}` } }));
    const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    if (!installed.ok && process.env.WIREFEED_REQUIRE_PACK !== '1' && /ENOTCACHED|only-if-cached|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET/.test(installed.out)) {
      ctx.skip(`npm install of the packed tarball needs packages that are neither in the npm cache nor reachable: ${installed.out.slice(0, 300)}`);
    }
    expect(installed.ok, installed.out).toBe(true);

    writeFileSync(join(app, 'serve.mjs'), SERVE);
    const served = run(process.execPath, ['serve.mjs', SAMPLE_DIR, join(work, 'cache')], app, 60_000);
    expect(served.ok, served.out).toBe(true);
    const response = JSON.parse(served.out) as { status: number; type: string; body: string };
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/rss+xml; charset=utf-8');
    const rss = parseXml(response.body).rss;
    expect(rss['@_version']).toBe('2.0');
    const links = rss.channel['atom:link'] as { '@_rel': string; '@_href': string }[];
    expect(links.find((l) => l['@_rel'] === 'self')?.['@_href']).toBe(`${SITE_URL}/rss.xml`);
    const feed = await new Parser().parseString(response.body);
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) expect(item.guid, item.title).toBeTruthy();

    // TypeScript: the typings are found through "exports" and fit Express's own (its @types come from this repository).
    writeFileSync(join(app, 'consumer.ts'), CONSUMER);
    const types = join(ROOT, 'node_modules', '@types');
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], typeRoots: [types], paths: { express: [join(types, 'express', 'index.d.ts')] } }, files: ['consumer.ts'] }),
    );
    const checked = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
    expect(checked.ok, checked.out).toBe(true);

    // A client generated from the shipped description (wirefeed/openapi.json) with openapi-typescript type-checks against the package's own types.
    // --default-non-nullable false: by default openapi-typescript 7 makes a field with a default required, and a record may leave out status (default "published").
    const shipped = join(app, 'node_modules', 'wirefeed', 'dist', 'openapi.json');
    const generated = run(process.execPath, [join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), shipped, '--immutable', '--default-non-nullable', 'false', '-o', join(app, 'wirefeed-api.d.ts')], app);
    expect(generated.ok, generated.out).toBe(true);
    writeFileSync(join(app, 'client.ts'), CLIENT);
    writeFileSync(join(app, 'tsconfig.client.json'), JSON.stringify({ extends: './tsconfig.json', files: ['client.ts'] }));
    const client = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.client.json'], app);
    expect(client.ok, client.out).toBe(true);
  }, 180_000);
});
