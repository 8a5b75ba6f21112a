import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 24: store/postgres/feed-queries.ts cited a `select.ts` in src/query/
 * that does not exist. Every `src/…`, `test/…` and `docs/…` path cited in the
 * README, docs/ and the comments of src/, test/, bench/ and scripts/ must
 * exist (a file or a folder), so a reader following one finds it. A `.js`
 * path stands for its compiled `.ts` source.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CITED = /(?<![\w./-])((?:src|test|docs)\/[\w./-]*[\w/])/g;

/** Citations that are not paths of this repository: an example in a doc comment, a folder of another project. */
const NOT_PATHS = new Set(['test/architecture/layers.test.ts: src/store/files/x.ts', 'scripts/w3c-validate.mjs: src/feedvalidator/']);

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'fixtures' || entry.name === 'golden' ? [] : files(path, ext);
    return ext.test(entry.name) ? [path] : [];
  });
}

describe('paths cited in docs and comments', () => {
  it('every cited src/, test/ and docs/ path exists', () => {
    const sources = ['README.md', ...files('docs', /\.md$/), ...files('src', /\.ts$/), ...files('test', /\.ts$/), ...files('bench', /\.(ts|mjs)$/), ...files('scripts', /\.(ts|mjs)$/)];
    const missing: string[] = [];
    // This file names the exceptions above, which are not paths by design.
    for (const source of sources.filter((path) => path !== 'test/docs/cited-files.test.ts')) {
      const text = readFileSync(join(ROOT, source), 'utf8');
      for (const match of text.matchAll(CITED)) {
        const cited = match[1] as string;
        // A template or a glob ("src/**/*.ts", "test/${name}") names no single path.
        if (/[*$]/.test(text.slice(match.index, match.index + cited.length + 2))) continue;
        if (NOT_PATHS.has(`${source}: ${cited}`)) continue;
        if (!existsSync(join(ROOT, cited)) && !existsSync(join(ROOT, cited.replace(/\.js$/, '.ts')))) missing.push(`${relative(ROOT, join(ROOT, source))}: ${cited}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
