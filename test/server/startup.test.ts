import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/http/api-keys.js';
import { builtFile } from './build.js';

/**
 * Fail fast: a bad site.json or a bad environment variable stops the real
 * server process at start with one clear line and a non-zero exit, and it
 * never listens. (The process is the compiled main.ts.) Its output is JSON log lines.
 */
const SAMPLE_DATA = join(import.meta.dirname, '..', '..', 'data');
let main = '';
beforeAll(() => {
  main = builtFile('src/main.ts');
}, 120_000);

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(site?: string | null): string {
  const root = mkdtempSync(join(tmpdir(), 'wirefeed-start-'));
  temporary.push(root);
  cpSync(SAMPLE_DATA, join(root, 'data'), { recursive: true });
  if (site === null) rmSync(join(root, 'data', 'site.json'));
  else if (site !== undefined) writeFileSync(join(root, 'data', 'site.json'), site);
  return join(root, 'data');
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server; resolves when it exits, or (for a good start) when it says it is serving, then stops it. */
function run(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('serving')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The server writes JSON log lines (standard output is not a terminal here); every line must parse. */
function logLines(stdout: string): { level: string; time: string; msg: string }[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: string; time: string; msg: string });
}

function expectFailFast(result: Run, message: string): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('');
  const lines = logLines(result.stdout);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'fatal', msg: `wirefeed: cannot start: ${message}` });
  expect(Number.isNaN(Date.parse(lines[0]?.time ?? ''))).toBe(false);
}

describe('the server process fails fast on bad configuration', () => {
  it('starts and serves with good data (the control case)', async () => {
    const result = await run({ DATA_DIR: dataDir() });
    expect(logLines(result.stdout).map((line) => line.msg)).toContainEqual(expect.stringMatching(/^wirefeed: serving \d+ articles/));
    expect(result.code).toBe(0);
  });

  it.each([
    ['invalid JSON', '{"title": "x",, }', 'data/site.json: is not valid JSON at line 1, column 15: Expected double-quoted property name'],
    ['empty file', '', 'data/site.json: is empty'],
    ['not an object', '[1]', 'data/site.json: must hold one JSON object'],
    ['missing title and link', '{}', 'data/site.json: field "title" is required; field "link" is required'],
    ['wrong types', '{"title": 5, "link": "ftp://x", "feedSize": 0}', 'data/site.json: field "title" must be a string, got number 5; field "link" must be an absolute http or https URL, got "ftp://x"; field "feedSize" must be a whole number from 1 to 100, got number 0'],
    ['unknown field', '{"title": "T", "link": "https://news.example.org/", "colour": "red"}', 'data/site.json: field "colour" is not a site field (title, description, link, baseUrl, language, copyright, icon, logo, feedSize, idAuthority, mediaBase, agencies, publicImages)'],
  ])('site.json: %s', async (_name, site, message) => {
    expectFailFast(await run({ DATA_DIR: dataDir(site) }), message);
  });

  it('a missing site.json', async () => {
    expectFailFast(await run({ DATA_DIR: dataDir(null) }), 'data/site.json: does not exist; DATA_DIR must be the folder holding site.json and articles/');
  });

  it.each([
    ['PORT', 'abc', 'environment variable PORT must be a whole number from 0 to 65535, got "abc"'],
    ['PORT', '70000', 'environment variable PORT must be a whole number from 0 to 65535, got "70000"'],
    ['SITE_URL', 'ftp://feeds.example.org', 'environment variable SITE_URL must be an absolute http(s) URL, got "ftp://feeds.example.org"'],
    ['RATE_LIMIT', '-5', 'environment variable RATE_LIMIT must be a whole number from 0 to 1000000, got "-5"'],
    ['RATE_LIMIT', 'lots', 'environment variable RATE_LIMIT must be a whole number from 0 to 1000000, got "lots"'],
    [
      'TRUST_PROXY',
      'everyone',
      'environment variable TRUST_PROXY must be "true", "false", a number of proxy hops, or a comma-separated list of addresses, subnets (10.0.0.0/8) and loopback/linklocal/uniquelocal, got "everyone"',
    ],
    [
      'TRUST_PROXY',
      '10.0.0.0/33',
      'environment variable TRUST_PROXY must be "true", "false", a number of proxy hops, or a comma-separated list of addresses, subnets (10.0.0.0/8) and loopback/linklocal/uniquelocal, got "10.0.0.0/33"',
    ],
  ])('%s=%s', async (name, value, message) => {
    expectFailFast(await run({ DATA_DIR: dataDir(), [name]: value }), message);
  });

  it.each([
    ['not JSON', '{"keys": [', /^KEYS_FILE .*keys\.json: not JSON/],
    ['an unknown scope field', '{"keys": [{"id": "korean-desk", "hash": "sha256:' + '0'.repeat(64) + '", "service": ["Korean"]}]}', /^KEYS_FILE .*keys\.json: entry 1 \("korean-desk"\): unknown field "service"/],
    ['a secret where the hash belongs', '{"keys": [{"id": "desk", "hash": "my-secret"}]}', /^KEYS_FILE .*keys\.json: entry 1 \("desk"\): hash must be "sha256:"/],
    ['a key posing as the master token', '{"keys": [{"id": "ingest-token", "hash": "sha256:' + '0'.repeat(64) + '"}]}', /^KEYS_FILE .*keys\.json: entry 1 \("ingest-token"\): the id "ingest-token" is reserved/],
    ['two keys sharing one hash', '{"keys": [{"id": "desk-a", "hash": "sha256:' + '0'.repeat(64) + '"}, {"id": "desk-b", "hash": "sha256:' + '0'.repeat(64) + '"}]}', /^KEYS_FILE .*keys\.json: entry 2 \("desk-b"\): the hash is the same as key "desk-a"'s/],
    ["a key with INGEST_TOKEN's secret", `{"keys": [{"id": "desk", "hash": "${hashSecret('master-token-0123456789abcdef')}"}]}`, /^KEYS_FILE key "desk" has INGEST_TOKEN's secret/],
  ])('a keys file with %s: one message naming the entry, exit 1', async (_what, text, message) => {
    const data = dataDir();
    const keysFile = join(data, '..', 'keys.json');
    writeFileSync(keysFile, text);
    const result = await run({ DATA_DIR: data, KEYS_FILE: keysFile, INGEST_TOKEN: 'master-token-0123456789abcdef' });
    expect(result.code).toBe(1);
    const lines = logLines(result.stdout);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('fatal');
    expect(lines[0]?.msg.replace('wirefeed: cannot start: ', '')).toMatch(message);
  });

  it('a port already in use: one message, exit 1', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as import('node:net').AddressInfo;
    try {
      const result = await run({ DATA_DIR: dataDir(), PORT: String(port) });
      expect(result.code).toBe(1);
      expect(logLines(result.stdout).at(-1)).toMatchObject({ level: 'fatal', msg: `wirefeed: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}` });
    } finally {
      blocker.close();
    }
  });
});

describe('what the server process logs', () => {
  it('escapes control characters in file names (no forged lines, no terminal escapes) and reports a dangling link at start', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'articles', 'evil\nrejected: forged line\u001b[31m.json'), '{ not json');
    symlinkSync(join(dir, 'articles', 'gone-away.json.bak'), join(dir, 'articles', 'dangling.json'));
    const result = await run({ DATA_DIR: dir });
    expect(result.code).toBe(0);
    // JSON lines: a control character in a file name is escaped by JSON itself, so no line can be forged.
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const lines = logLines(result.stdout).map((line) => line.msg);
    expect(lines).toContain('rejected: data/articles/dangling.json: is a link to a file that does not exist');
    expect(lines.filter((line) => line.includes('forged line'))).toEqual([
      'rejected: data/articles/evil\\nrejected: forged line\\x1b[31m.json: is not valid JSON at line 1, column 3: Expected property name or \'}\'',
    ]);
  });
});
