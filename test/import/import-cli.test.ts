import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../src/cli/import.js';
import { loadArticleFiles, loadSite } from '../../src/load/load-data.js';
import { renderFeed } from '../../src/render/render.js';
import { feedMeta } from '../helpers/feed-meta.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/newsroom-text');
const SITE = {
  title: 'Harbor Light News',
  link: 'https://news.example.org/',
  language: 'en',
  idAuthority: 'news.example.org,2019',
  mediaBase: 'https://media.example.org/images/',
};

let dir: string;
let dataDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirefeed-import-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  writeSite(SITE);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeSite(site: Record<string, unknown>): void {
  writeFileSync(join(dataDir, 'site.json'), JSON.stringify(site));
}

/** Runs the command in-process with its own argv, environment and output streams. */
function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runImport({ argv, env: { DATA_DIR: dataDir }, cwd: dir, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const BASE_ARGS = ['--url', 'https://news.example.org/uyghur/2021/03/quotas.html', '--published', '2021-03-04T09:00:00', '--timezone', 'Asia/Seoul'];
const ID = '2021-03-fishermen-say-new-quotas-empty-the-northern-harbor';

function articleFiles(): string[] {
  try {
    return readdirSync(join(dataDir, 'articles'));
  } catch {
    return [];
  }
}

describe('npm run import (in-process)', () => {
  it('writes a record the server loads and serves in RSS with its credits and image', () => {
    const result = run(join(FIXTURES, 'two-reporters-released-by.txt'), ...BASE_ARGS, '--service', 'Uyghur', '--section', 'Fisheries');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('headline:   Fishermen Say New Quotas Empty the Northern Harbor\n');
    expect(result.stdout).toContain(`id:         ${ID}\n`);
    expect(result.stdout).toContain('image:      https://media.example.org/images/harbor-boats-idle-2021-crop.jpg (line 5)\n');
    expect(result.stdout).toContain('credit:     Provincial Press Office\n');
    expect(result.stdout).toContain('paragraphs: 4\n');
    expect(result.stdout).toContain('  reporter     Aziz Tursun (for the Uyghur Service), Gulnar Ismail (for the Uyghur Service)\n');
    expect(result.stdout).toContain('  translator   Mehmet Sabir\n');
    expect(result.stdout).toContain('  writer       Clara Voss\n');
    expect(result.stdout).toContain('removed:    2 share-button lines; the comment-form notice and what follows (1 line)\n');
    expect(result.stdout).toContain(`wrote data/articles/${ID}.json\n`);
    expect(articleFiles()).toEqual([`${ID}.json`]); // no temporary file left behind

    const record = JSON.parse(readFileSync(join(dataDir, 'articles', `${ID}.json`), 'utf8'));
    expect(record).toMatchObject({ id: ID, published: '2021-03-04T09:00:00', timezone: 'Asia/Seoul', service: 'Uyghur', section: 'Fisheries' });

    const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost:3000' });
    const files = loadArticleFiles(dataDir, site);
    expect(files.map((f) => [f.name, f.errors.map((e) => e.message), f.warnings.map((w) => w.message)])).toEqual([[`${ID}.json`, [], []]]);
    const article = files[0]!.article!;
    expect(article.published.toISOString()).toBe('2021-03-04T00:00:00.000Z');

    const rss = renderFeed('rss', {
      site,
      meta: feedMeta(site, article.updated),
      articles: [article],
    });
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['item', 'dc:creator', 'dc:contributor', 'media:content'].includes(name) }).parse(rss);
    const items = parsed.rss.channel.item;
    expect(items).toHaveLength(1);
    const item = items[0];
    expect(item.title).toBe('Fishermen Say New Quotas Empty the Northern Harbor');
    expect(item.guid['#text']).toBe(`tag:news.example.org,2019:${ID}`);
    expect(item['dc:creator']).toEqual(['Aziz Tursun, Gulnar Ismail and Clara Voss']);
    expect(item['dc:contributor']).toEqual(['Mehmet Sabir']);
    const media = item['media:content'][0];
    expect(media['@url']).toBe('https://media.example.org/images/harbor-boats-idle-2021-crop.jpg');
    expect(media['@type']).toBe('image/jpeg');
    expect(media['media:credit']).toBe('Provincial Press Office');
    expect(media['media:description']['#text'] ?? media['media:description']).toContain('released by Provincial Press Office');
    const content: string = item['content:encoded'];
    expect(content).toContain('Reported by Aziz Tursun and Gulnar Ismail for the Uyghur Service. Translated by Mehmet Sabir. Written in English by Clara Voss.');
    expect(content).toContain('<p>A bureau spokesperson said the quotas would be reviewed in the autumn.</p>');
    expect(content).not.toContain('Share on WhatsApp');
    expect(content).not.toContain('Add your comment');
  });

  it('--translation-of links the story to its original, which must exist and not be a translation itself', () => {
    const articles = join(dataDir, 'articles');
    mkdirSync(articles);
    const original = { id: 'quotas-ug', url: 'https://news.example.org/uyghur/quotas.html', headline: 'Original', body: '<p>x</p>', published: '2021-03-03T00:00:00Z', language: 'ug' };
    writeFileSync(join(articles, 'quotas-zh.json'), JSON.stringify({ ...original, id: 'quotas-zh', language: 'zh', translationOf: 'quotas-ug' }));

    const missing = run(join(FIXTURES, 'two-reporters-released-by.txt'), ...BASE_ARGS, '--translation-of', 'quotas-ug');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: --translation-of "quotas-ug": no article has that id; import the original first\n');
    const chained = run(join(FIXTURES, 'two-reporters-released-by.txt'), ...BASE_ARGS, '--translation-of', 'quotas-zh');
    expect(chained.code).toBe(1);
    expect(chained.stderr).toContain('error: --translation-of "quotas-zh": data/articles/quotas-zh.json is itself a translation of "quotas-ug"; give the original\'s id\n');
    expect(articleFiles()).toEqual(['quotas-zh.json']);

    writeFileSync(join(articles, 'quotas-ug.json'), JSON.stringify(original));
    const result = run(join(FIXTURES, 'two-reporters-released-by.txt'), ...BASE_ARGS, '--translation-of', 'quotas-ug');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(articles, `${ID}.json`), 'utf8')).translationOf).toBe('quotas-ug');
    const site = loadSite(dataDir, { fallbackBaseUrl: 'http://localhost' });
    const loaded = loadArticleFiles(dataDir, site).find((f) => f.article?.id === ID);
    expect(loaded?.article?.translationOf).toBe('quotas-ug');
  });

  it('refuses to overwrite an existing id without --force, and replaces it with --force', () => {
    const fixture = join(FIXTURES, 'two-reporters-released-by.txt');
    expect(run(fixture, ...BASE_ARGS).code).toBe(0);
    const path = join(dataDir, 'articles', `${ID}.json`);
    const first = readFileSync(path, 'utf8');

    const again = run(fixture, ...BASE_ARGS, '--section', 'Changed');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: data/articles/${ID}.json already exists; give --force to replace it, or --id to import under another id`);
    expect(readFileSync(path, 'utf8')).toBe(first);

    const forced = run(fixture, ...BASE_ARGS, '--section', 'Changed', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`replaced data/articles/${ID}.json`);
    expect(JSON.parse(readFileSync(path, 'utf8')).section).toBe('Changed');
    expect(articleFiles()).toEqual([`${ID}.json`]);
  });

  it('refuses an id another file already carries, even with --force', () => {
    mkdirSync(join(dataDir, 'articles'));
    writeFileSync(join(dataDir, 'articles', 'older.json'), JSON.stringify({ id: 'my-story' }));
    const result = run(join(FIXTURES, 'no-image-other-roles.txt'), ...BASE_ARGS, '--id', 'my-story', '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: id "my-story" is already used by data/articles/older.json');
    expect(articleFiles()).toEqual(['older.json']);
  });

  it('an unreadable credit line stops the import and names the text', () => {
    const result = run(join(FIXTURES, 'unparseable-credit.txt'), ...BASE_ARGS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"Copyedited by Tom Berg."');
    expect(result.stderr).toContain('import: nothing was written');
    expect(articleFiles()).toEqual([]);
  });

  it('prints every record problem and writes nothing', () => {
    const result = run(join(FIXTURES, 'no-image-other-roles.txt'), '--url', 'not a url', '--published', '2021-02-30T10:00:00+09:00', '--language', 'english!');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot derive an id');
    expect(result.stderr).toMatch(/error: data\/articles\/unknown\.json: field "url" /);
    expect(result.stderr).toMatch(/error: data\/articles\/unknown\.json: field "published" /);
    expect(result.stderr).toMatch(/error: data\/articles\/unknown\.json: field "language" /);
    expect(articleFiles()).toEqual([]);
  });

  it('needs a media base for an image: from site.json, or from --media-base', () => {
    const { mediaBase: _, ...withoutBase } = SITE;
    writeSite(withoutBase);
    const fixture = join(FIXTURES, 'caption-next-line-crlf.txt');
    const refused = run(fixture, ...BASE_ARGS);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no media base is known: give --media-base or set "mediaBase" in site.json');
    expect(articleFiles()).toEqual([]);

    const given = run(fixture, ...BASE_ARGS, '--media-base', 'https://cdn.example.net/photos');
    expect(given.code).toBe(0);
    const record = JSON.parse(readFileSync(join(dataDir, 'articles', '2021-03-mountain-ferry-line-resumes-after-two-year-pause.json'), 'utf8'));
    expect(record.images[0].url).toBe('https://cdn.example.net/photos/harbor-ferry-dock-2020.png');
  });

  it('a story without an image needs no media base and no site.json; unplaced lines are warnings', () => {
    rmSync(join(dataDir, 'site.json'));
    const result = run(join(FIXTURES, 'no-image-other-roles.txt'), ...BASE_ARGS);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('image:      none\n');
    expect(result.stderr).toBe('warning: line 8: "Related stories" was not recognised (it does not end like a sentence); kept as a paragraph\n');
    expect(articleFiles()).toEqual(['2021-03-night-market-vendors-move-to-new-riverside-site.json']);
  });

  it('answers a bad command line with exit code 2 and the usage', () => {
    const fixture = join(FIXTURES, 'no-image-other-roles.txt');
    const noUrl = run(fixture, '--published', '2021-03-04T09:00:00+09:00');
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('import: --url is required');
    expect(noUrl.stderr).toContain('usage: wirefeed import');
    const unknown = run(fixture, ...BASE_ARGS, '--colour', 'red');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('wirefeed import: unknown option --colour\n');
    expect(run(...BASE_ARGS).stderr).toContain('give the text file to import');
    const missingFile = run(join(dir, 'nope.txt'), ...BASE_ARGS);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain('nope.txt: does not exist');
    expect(articleFiles()).toEqual([]);
  });

  it('refuses a text that is not UTF-8', () => {
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('Caf\xe9 Headline\n\nBody.\n', 'latin1'));
    const result = run(latin1, ...BASE_ARGS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('latin1.txt: is not UTF-8 text');
  });
});

describe('compiled CLI', () => {
  it('runs as `node dist/src/cli/import.js` with DATA_DIR and resolves the text file from where the user typed the command', () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/import.js'), 'korean-headline.txt', ...BASE_ARGS, '--language', 'ko'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, INIT_CWD: FIXTURES },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('headline:   항구 마을에 새 도서관 문 열어\n');
    const files = articleFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2021-03-[0-9a-f]{10}\.json$/);
    const record = JSON.parse(readFileSync(join(dataDir, 'articles', files[0]!), 'utf8'));
    expect(record.language).toBe('ko');
    expect(record.credits).toEqual([
      { name: '박민서', role: 'reporter', organization: 'the Korean Service' },
      { name: 'Joon Bae', role: 'translator' },
    ]);
  });
});
