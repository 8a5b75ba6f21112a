import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/http/api-keys.js';
import { SAMPLE_DIR } from '../helpers/sample.js';
import { builtFile } from '../server/build.js';

/**
 * The `wirefeed` command run as a process, as an operator runs it, on the
 * command lines that printed stack traces: one line saying what is wrong,
 * exit 2 for a bad argument and 1 for a failure, never a stack trace.
 */
let entry: string;
let work: string;
let dataDir: string;

beforeAll(() => {
  entry = builtFile('src/cli/wirefeed.ts');
  work = mkdtempSync(join(tmpdir(), 'wirefeed-cli-edges-'));
  dataDir = join(work, 'data');
  cpSync(SAMPLE_DIR, dataDir, { recursive: true });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(argv: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [entry, ...argv], { encoding: 'utf8', timeout: 60_000, cwd: work, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, SITE_URL: 'https://news.example.org', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectOneLine(result: { stderr: string }, line: RegExp): void {
  const [first] = result.stderr.split('\n');
  expect(first).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/node:internal|Error:/);
}

describe('wirefeed keys', () => {
  it('list --file <a folder>: one line, exit 1', () => {
    const result = run(['keys', 'list', '--file', work]);
    expect(result.status).toBe(1);
    expectOneLine(result, new RegExp(`^wirefeed keys: KEYS_FILE ${work}: cannot be read \\(EISDIR\\)$`));
  });

  it('a KEYS_FILE that starts with a UTF-8 byte order mark is read, as article files are', () => {
    const file = join(work, 'keys-bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ keys: [{ id: 'desk', hash: hashSecret('a-secret-for-the-desk') }] })}`);
    const result = run(['keys', 'list'], { KEYS_FILE: file });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('desk: any service\n');
  });
});

describe('wirefeed export to a folder it cannot use', () => {
  it('a regular file: one line, exit 2, the file untouched', () => {
    const file = join(work, 'not-a-folder');
    writeFileSync(file, 'keep me');
    const result = run(['export', file]);
    expect(result.status).toBe(2);
    expectOneLine(result, /^wirefeed export: .*not-a-folder is a file, not a folder: give a folder to write the export to$/);
    const inside = run(['export', join(file, 'out')]);
    expect(inside.status).toBe(2);
    expectOneLine(inside, /^wirefeed export: .*not-a-folder\/out cannot be made: .*not-a-folder is a file, not a folder$/);
  });

  it('/proc/1 (a folder no one may write to): one line, exit 2, at once', () => {
    const result = run(['export', '/proc/1']);
    expect(result.status).toBe(2);
    expectOneLine(result, /^wirefeed export: cannot write to \/proc\/1 \((EACCES|EPERM)\): give a folder you may write to$/);
  });

  it.each([
    ['DATA_DIR itself', '.', 'is'],
    ['a folder inside DATA_DIR', 'exported', 'is inside'],
    ['a folder holding DATA_DIR', '..', 'holds'],
  ])('%s: refused with one line, exit 2, and nothing written', (_what, relative, how) => {
    const before = readdirSync(dataDir, { recursive: true }).sort();
    const target = join(dataDir, relative);
    const result = run(['export', target]);
    expect(result.status).toBe(2);
    expectOneLine(result, new RegExp(`^wirefeed export: .* ${how} DATA_DIR \\(.*\\): the export would be written among the records; give a folder outside it$`));
    expect(readdirSync(dataDir, { recursive: true }).sort()).toEqual(before);
  });
});

describe('wirefeed gen-corpus --count', () => {
  it.each([
    [['--count', '-5'], '"-5"'],
    [['--count', '99999999999'], '"99999999999"'],
    [['--count', '0'], '"0"'],
  ])('%j: says the count must be a whole number from 1 to 10000000, exit 2', (args, shown) => {
    const result = run(['gen-corpus', '--out', join(work, 'corpus'), ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`wirefeed gen-corpus: --count must be a whole number from 1 to 10000000, got ${shown}`);
    expect(result.stderr).not.toMatch(/ambiguous|^\s+at /m);
  });
});
