import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Statements in the README that the code decides: checked against the code, so they cannot drift apart again. */
const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** What the README used to hold moved to docs/: the statements are checked where they now stand. */
const polling = readFileSync(join(ROOT, 'docs', 'feeds-and-polling.md'), 'utf8');
const records = readFileSync(join(ROOT, 'docs', 'records.md'), 'utf8');
const hardening = readFileSync(join(ROOT, 'docs', 'hardening.md'), 'utf8');
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('README and docs match the code', () => {
  it('states the Brotli quality and gzip level compress.ts uses', () => {
    const code = source('src/http/compress.ts');
    const quality = /const BROTLI_QUALITY = (\d+);/.exec(code)?.[1];
    const level = /const GZIP_LEVEL = (\d+);/.exec(code)?.[1];
    expect(polling).toContain(`Brotli quality ${quality}, gzip level ${level}`);
    expect(polling + readme).not.toMatch(/Brotli at maximum quality/);
  });

  it('has the normalisation paragraph once, with no dangling copy', () => {
    expect(records.match(/\*\*Normalisation\*\* applied on load/g)).toHaveLength(1);
    expect(records).not.toMatch(/\n\nremoved from every field/);
  });

  it('lists every query parameter resolve-feed.ts accepts in the hardening table', () => {
    const known = /const KNOWN_PARAMS = new Set\(\[([^\]]+)\]\)/.exec(source('src/query/resolve-feed.ts'))?.[1] ?? '';
    const params = [...known.matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
    expect(params).toEqual(['limit', 'since', 'before', 'after']);
    const row = hardening.split('\n').find((line) => line.startsWith('| query parameters |')) ?? '';
    for (const param of params) expect(row).toContain(`\`${param}\``);
  });
});

describe('the front door', () => {
  it('stays short: at most 12 KB, the rest in docs/', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
  });

  it('shows how it is built: the folders with their arrows, one request and one reload, each file it names present', async () => {
    const { existsSync } = await import('node:fs');
    const built = readme.split('## How it is built')[1]?.split('\n## ')[0] ?? '';
    expect(built).toMatch(/http ─► query ─► store ─► load ─► model/);
    expect(built).toContain('One request');
    expect(built).toContain('One\nreload');
    const named = [...built.matchAll(/`((?:[a-z-]+\/)*[a-z-]+\.ts)`/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(5);
    for (const file of named) {
      const candidates = [`src/${file}`, `src/http/${file}`, `src/store/files/${file}`, `src/websub/${file}`];
      expect(candidates.some((path) => existsSync(join(ROOT, path))), file).toBe(true);
    }
  });

  it('links only to files that exist, from the README and from every doc', async () => {
    const { existsSync, readdirSync } = await import('node:fs');
    const docs = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const pages = [['README.md', readme], ...docs.map((name) => [`docs/${name}`, source(`docs/${name}`)])] as const;
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue;
        const from = page === 'README.md' ? ROOT : join(ROOT, 'docs');
        expect(existsSync(join(from, target as string)), `${page} links to ${target}`).toBe(true);
      }
    }
  });
});
