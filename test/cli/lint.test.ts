import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLint } from '../../src/cli/lint.js';
import { loadArticleFiles } from '../../src/load/load-data.js';
import { buildSnapshot } from '../../src/store/snapshot.js';
import { makeSite } from '../helpers/builders.js';

/**
 * `wirefeed lint` judged as an editor or a CI job sees it: the exit code,
 * and one `file:line:column: field: problem` line per problem, pointing at
 * the field in the file.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'broken');

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function lint(args: readonly string[], cwd = ROOT, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runLint(args, { env, cwd, interactive: false, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-lint-'));
  temporary.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const SITE = `{\n  "title": "Example News",\n  "link": "https://news.example.org/"\n}\n`;
const GOOD = {
  id: 'good',
  url: 'https://news.example.org/good.html',
  headline: 'A good story',
  body: '<p>Body.</p>',
  published: '2020-01-01T00:00:00Z',
};

describe('wirefeed lint', () => {
  it('passes the sample data (exit 0, nothing printed on stdout)', async () => {
    const result = await lint(['data']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^wirefeed lint: \d+ files checked, 0 rejected, 0 warnings\n$/);
  });

  it('names every problem of a folder of broken records with the line and column of its field, and exits 1', async () => {
    const record = [
      '{',
      '  "id": "Bad Id",',
      '  "url": "https://news.example.org/x.html",',
      '  "headline": "Headline",',
      '  "body": "<p>Body.</p>",',
      '  "published": "yesterday",',
      '  "tags": ["ok", 5],',
      '  "images": [{ "url": "https://media.example.org/a.jpg", "width": 0 }],',
      '  "credits": [{ "name": "A", "role": "reporter" }],',
      '  "creditLine": "Reported by A",',
      '  "colour": "red"',
      '}',
    ].join('\n');
    const root = folder({ 'data/site.json': SITE, 'data/articles/bad.json': record, 'data/articles/good.json': JSON.stringify(GOOD, null, 2) });
    const result = await lint(['data'], root);
    expect(result.code).toBe(1);
    const file = 'data/articles/bad.json';
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      `${file}:2:3: id: must be lowercase letters, digits and single '-' between them, got "Bad Id"`,
      expect.stringMatching(new RegExp(`^${file}:6:3: published: `)),
      `${file}:7:18: tags[1]: must be a string, got number 5`,
      `${file}:8:58: images[0].width: must be a whole number from 1 to 100000, got number 0`,
      `${file}:10:3: creditLine: cannot be given together with "credits"; give one of them`,
      `${file}:11:3: warning: colour: is not a known field and was ignored`,
    ]);
    expect(result.stderr).toBe('wirefeed lint: 3 files checked, 1 rejected, 1 warning\n');
  });

  it('reports exactly what the loader rejects and warns about, for every broken-record fixture', async () => {
    for (const name of readdirSync(FIXTURES)) {
      const dataDir = join(FIXTURES, name, 'data');
      const snapshot = buildSnapshot(makeSite(), loadArticleFiles(dataDir, makeSite()), 1);
      const result = await lint(['--format', 'json', dataDir]);
      const report = JSON.parse(result.stdout) as { rejected: number; findings: { file: string; field?: string; problem: string; severity: string; line: number; column: number }[] };
      // The loader names files as data/articles/x.json; lint as the user gave them.
      const shown = (text: string) => text.replace(/(^| )data\//g, `$1${relative(ROOT, dataDir)}/`);
      const expected = [
        ...snapshot.rejected.map((e) => ({ file: shown(e.file), field: e.field, problem: shown(e.problem), severity: 'error' })),
        ...snapshot.warnings.map((e) => ({ file: shown(e.file), field: e.field, problem: e.problem, severity: 'warning' })),
      ];
      const found = report.findings.map(({ file, field, problem, severity }) => ({ file, field, problem, severity }));
      expect(found.sort(byText), name).toEqual(expected.sort(byText));
      expect(result.code, name).toBe(snapshot.rejected.length > 0 ? 1 : 0);
      for (const finding of report.findings) expect(finding.line, name).toBeGreaterThanOrEqual(1);
    }
  });

  it('places syntax errors, a duplicate id and unknown fields where they are', async () => {
    const result = await lint([join('test', 'fixtures', 'broken', 'invalid-json', 'data'), join('test', 'fixtures', 'broken', 'duplicate-ids', 'data')]);
    expect(result.stdout).toContain('test/fixtures/broken/invalid-json/data/articles/broken.json:4:3: is not valid JSON at line 4, column 3: ');
    expect(result.stdout).toContain(
      'test/fixtures/broken/duplicate-ids/data/articles/b-second.json:2:3: id: "same-id" is already used by test/fixtures/broken/duplicate-ids/data/articles/a-first.json; ids must be unique',
    );
    expect(result.code).toBe(1);
  });

  it('checks site.json with the server rules, at the field', async () => {
    const root = folder({ 'data/site.json': '{\n  "title": "T",\n  "link": "ftp://x",\n  "feedSize": 0\n}\n' });
    const result = await lint(['data'], root);
    expect(result.stdout).toBe(
      [
        'data/site.json:3:3: link: must be an absolute http or https URL, got "ftp://x"',
        'data/site.json:4:3: feedSize: must be a whole number from 1 to 100, got number 0',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
  });

  it('reports a data folder without site.json, as the server refuses to start on it', async () => {
    const root = folder({ 'data/articles/good.json': JSON.stringify(GOOD, null, 2) });
    const result = await lint(['data'], root);
    expect(result.stdout).toBe('data/site.json:1:1: does not exist; DATA_DIR must be the folder holding site.json and articles/\n');
    expect(result.code).toBe(1);
  });

  it('takes loose files and finds duplicate ids among them; warnings alone exit 0', async () => {
    const root = folder({ 'a.json': JSON.stringify({ ...GOOD, extra: 1 }, null, 2), 'b.json': JSON.stringify(GOOD, null, 2) });
    const result = await lint(['a.json'], root);
    expect(result.stdout).toBe('a.json:7:3: warning: extra: is not a known field and was ignored\n');
    expect(result.code).toBe(0);
    const both = await lint(['b.json', 'a.json'], root);
    expect(both.stdout).toContain('b.json:2:3: id: "good" is already used by a.json; ids must be unique');
    expect(both.code).toBe(1);
  });

  it('accepts a record naming the schema through $schema, as the editor completion setup does', async () => {
    const root = folder({ 'data/site.json': SITE, 'data/articles/good.json': JSON.stringify({ $schema: '../article.schema.json', ...GOOD }, null, 2) });
    expect(await lint([], root, { DATA_DIR: 'data' })).toMatchObject({ code: 0, stdout: '' });
  });

  it('answers a bad command line with one line, the usage and exit 2', async () => {
    const unknown = await lint(['--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('wirefeed lint: unknown option --colour');
    expect(unknown.stderr).toContain('usage: wirefeed lint');
    expect((await lint(['--format', 'xml'])).stderr.split('\n')[0]).toBe('wirefeed lint: --format must be text or json, got "xml"');
    expect((await lint(['no-such-folder'])).code).toBe(2);
    expect(await lint(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: wirefeed lint') });
  });
});

function byText(a: object, b: object): number {
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : 1;
}
