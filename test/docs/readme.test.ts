import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Statements in the README that the code decides: checked against the code, so they cannot drift apart again. */
const ROOT = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const source = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('README matches the code', () => {
  it('states the Brotli quality and gzip level compress.ts uses', () => {
    const code = source('src/http/compress.ts');
    const quality = /const BROTLI_QUALITY = (\d+);/.exec(code)?.[1];
    const level = /const GZIP_LEVEL = (\d+);/.exec(code)?.[1];
    expect(readme).toContain(`Brotli quality ${quality}, gzip level ${level}`);
    expect(readme).not.toMatch(/Brotli at maximum quality/);
  });

  it('has the normalisation paragraph once, with no dangling copy', () => {
    expect(readme.match(/\*\*Normalisation\*\* applied on load/g)).toHaveLength(1);
    expect(readme).not.toMatch(/\n\nremoved from every field/);
  });

  it('lists every query parameter feed-request.ts accepts in the hardening table', () => {
    const known = /const KNOWN_PARAMS = new Set\(\[([^\]]+)\]\)/.exec(source('src/query/feed-request.ts'))?.[1] ?? '';
    const params = [...known.matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
    expect(params).toEqual(['limit', 'since', 'before', 'after']);
    const row = readme.split('\n').find((line) => line.startsWith('| query parameters |')) ?? '';
    for (const param of params) expect(row).toContain(`\`${param}\``);
  });
});
