import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/commands.js';
import { findBySecret } from '../../src/model/secret.js';
import { loadPartnersFile } from '../../src/partners/partner.js';
import { builtFile } from '../server/build.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-partners-'));
  folders.push(dir);
  return dir;
}

async function partners(argv: readonly string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env, cwd: process.cwd(), interactive: false, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  return { code: await runCli(['partners', ...argv], io), stdout, stderr };
}

describe('wirefeed partners', () => {
  it('add prints the key once and stores only its hash, with the scope, content, images and delay asked for; list and remove', async () => {
    const file = join(folder(), 'partners.json');
    const added = await partners(['add', '--id', 'daily-herald', '--service', 'Korean', '--service', 'English', '--content', 'summary', '--images', 'licensed', '--delay', '30m'], { PARTNERS_FILE: file });
    expect(added.code).toBe(0);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^wf_[A-Za-z0-9_-]{43}$/);
    expect(added.stderr).toContain('shown only now');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('delayMs');
    const [partner] = loadPartnersFile(file);
    expect(partner).toMatchObject({ id: 'daily-herald', services: ['Korean', 'English'], content: 'summary', images: 'licensed', delay: '30m', delayMs: 1_800_000 });
    expect(findBySecret(loadPartnersFile(file), secret)?.id).toBe('daily-herald');

    expect((await partners(['add', '--id', 'wire-desk', '--language', 'en', '--file', file])).code).toBe(0);
    expect((await partners(['list', '--file', file])).stdout).toBe('daily-herald: services Korean, English; summary text; images licensed; delay 30m\nwire-desk: any service; languages en; full text; images licensed\n');
    expect((await partners(['add', '--id', 'daily-herald', '--file', file])).code).toBe(1);
    expect((await partners(['remove', '--id', 'daily-herald', '--file', file])).code).toBe(0);
    expect(loadPartnersFile(file).map((p) => p.id)).toEqual(['wire-desk']);
    expect((await partners(['remove', '--id', 'daily-herald', '--file', file])).code).toBe(1);
  });

  it.each([
    [['add', '--id', 'x', '--delay', 'soon']],
    [['add', '--id', 'x', '--content', 'everything']],
    [['add', '--id', 'x', '--images', 'some']],
    [['add', '--id', 'Capitals']],
    [['frobnicate']],
  ])('refuses a bad command line %j with exit 2 and leaves the file alone', async (argv) => {
    const file = join(folder(), 'partners.json');
    const result = await partners([...argv, '--file', file]);
    expect(result.code).toBe(2);
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('PARTNERS_FILE at start', () => {
  let main = '';
  beforeAll(() => {
    main = builtFile('src/main.ts');
  }, 120_000);

  const start = (env: Record<string, string>): Promise<{ code: number | null; stdout: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('serving')) child.kill('SIGTERM');
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout });
      });
    });

  it.each([
    ['an unknown field', '{"partners": [{"id": "daily-herald", "hash": "sha256:' + '0'.repeat(64) + '", "service": ["Korean"]}]}', /^PARTNERS_FILE .*partners\.json: entry 1 \("daily-herald"\): unknown field "service"/],
    ['a bad delay', '{"partners": [{"id": "daily-herald", "hash": "sha256:' + '0'.repeat(64) + '", "delay": "half an hour"}]}', /^PARTNERS_FILE .*partners\.json: entry 1 \("daily-herald"\): delay must be a duration/],
    ['a bad content level', '{"partners": [{"id": "daily-herald", "hash": "sha256:' + '0'.repeat(64) + '", "content": "teaser"}]}', /^PARTNERS_FILE .*partners\.json: entry 1 \("daily-herald"\): content must be one of full, summary, headline/],
  ])('a partners file with %s stops the server with one line naming the entry', async (_what, text, message) => {
    const root = folder();
    cpSync(join(import.meta.dirname, '..', '..', 'data'), join(root, 'data'), { recursive: true, filter: (source) => !source.includes('.wirefeed-cache') });
    writeFileSync(join(root, 'partners.json'), text);
    const result = await start({ DATA_DIR: join(root, 'data'), PARTNERS_FILE: join(root, 'partners.json') });
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('fatal');
    expect(lines[0]?.msg.replace('wirefeed: cannot start: ', '')).toMatch(message);
  });
});
