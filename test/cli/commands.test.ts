import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/cli/commands.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { builtFile } from '../server/build.js';

async function cli(argv: readonly string[], env: Record<string, string> = {}, interactive = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env, cwd: process.cwd(), interactive, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('the wirefeed command', () => {
  it('lists every subcommand in --help and exits 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['serve', 'import', 'export', 'lint', 'sync', 'migrate', 'keys', 'partners', 'stats', 'gen-corpus']) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(COMMANDS.map((c) => c.name)).toEqual(['serve', 'import', 'export', 'lint', 'sync', 'migrate', 'keys', 'partners', 'stats', 'gen-corpus']);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help (and help %s) prints its usage and exits 0', async (name) => {
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: wirefeed ${name}\\b`));
    }
  });

  it.each([
    [['frobnicate'], 'wirefeed: unknown command "frobnicate"'],
    [['--frob'], 'wirefeed: unknown option --frob'],
    [['export', '--bogus', 'out'], 'wirefeed export: unknown option --bogus'],
    [['export'], 'wirefeed export: give the folder to write to'],
    [['export', 'out', '--now'], 'wirefeed export: option --now needs a value'],
    [['export', 'out', '--now', 'soon'], 'wirefeed export: --now needs an ISO 8601 date-time, got "soon"'],
    [['gen-corpus', '--count', '10'], 'wirefeed gen-corpus: --out DIR is required'],
    [['gen-corpus', '--out', 'x', '--count', '1e3'], 'wirefeed gen-corpus: --count must be a whole number from 1 to 10000000, got "1e3"'],
    [['import', 'story.txt', '--url', 'https://x.example/'], 'wirefeed import: --published is required'],
    [['serve', '--port'], 'wirefeed serve: option --port needs a value'],
    [['serve', 'extra'], 'wirefeed serve: unexpected argument "extra"'],
    [['serve', '--port', 'abc'], 'wirefeed serve: --port must be a whole number from 0 to 65535, got "abc"'],
    [['serve', '--log-level', 'loud'], 'wirefeed serve: --log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [['lint', '--format'], 'wirefeed lint: option --format needs a value'],
  ])('%j: one line saying what is wrong, then the usage, exit 2', async (argv, line) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toBe(line);
    expect(rest.join('\n')).toMatch(/^usage: wirefeed/);
    expect(result.stdout).toBe('');
  });

  it('with no command, prints the usage to stderr and exits 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: wirefeed <command>/);
  });

  it('gen-corpus writes the corpus and reports progress as plain lines when not on a terminal', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-cli-corpus-'));
    try {
      const result = await cli(['gen-corpus', '--out', out, '--count', '30', '--seed', '4']);
      expect(result.code).toBe(0);
      expect(readdirSync(join(out, 'articles'))).toHaveLength(30);
      expect(result.stderr).toMatch(/^gen-corpus: 30\/30 [\d.k]+\/s done\n$/m);
      expect(result.stdout).toMatch(/^gen-corpus: wrote 30 articles/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('wirefeed export on a terminal', () => {
  it('draws a progress bar in place that ends at every URL written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wirefeed-cli-export-'));
    try {
      const dataDir = join(import.meta.dirname, '..', '..', 'data');
      const result = await cli(['export', out, '--now', '2026-01-01T00:00:00Z'], { DATA_DIR: dataDir, SITE_URL: 'https://feeds.example.org' }, true);
      expect(result.code).toBe(0);
      const written = Number(/wrote (\d+) URLs/.exec(result.stdout)?.[1]);
      expect(written).toBeGreaterThan(10);
      const frames = result.stderr.split('\r').filter(Boolean);
      expect(frames.length).toBeGreaterThanOrEqual(1);
      expect(frames.at(-1)).toMatch(new RegExp(`^export \\[#{24}\\] ${written}/${written} [\\d.k]+/s done\\x1b\\[K\\n$`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the wirefeed process', () => {
  let entry = '';
  beforeAll(() => {
    entry = builtFile('src/cli/wirefeed.ts');
  }, 120_000);

  it('answers --help, and a bad command line with exit code 2', () => {
    const help = spawnSync(process.execPath, [entry, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: wirefeed <command>');
    const bad = spawnSync(process.execPath, [entry, 'lint', '--nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('wirefeed lint: unknown option --nope');
  });

  it('lint exits 1 on a folder of broken records', () => {
    const result = spawnSync(process.execPath, [entry, 'lint', join(import.meta.dirname, '..', 'fixtures', 'broken', 'wrong-types', 'data')], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/wrong-types\.json:2:3: id: must be a string, got number 7$/m);
  });
});

describe('wirefeed serve', () => {
  let entry = '';
  beforeAll(() => {
    entry = builtFile('src/cli/wirefeed.ts');
  }, 120_000);

  it('starts the server with options that set the variables of the same names, and writes JSON log lines', async () => {
    const { spawn } = await import('node:child_process');
    const dataDir = join(import.meta.dirname, '..', '..', 'data');
    const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'info'], {
      env: { PATH: process.env.PATH ?? '', WATCH: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start: ${stdout}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('serving')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string });
    // Lines reach standard output in blocks (observe/logger.ts), so others written after it may come in the same one.
    expect(lines.find((line) => line.msg.startsWith('wirefeed: serving'))).toMatchObject({ level: 'info', msg: expect.stringMatching(/^wirefeed: serving \d+ articles \(0 rejected\)/) });
  });
});
