import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
const start = doc.indexOf('## How to add a field, a kind, a format');
const end = doc.indexOf('\n## ', start + 1);
const section = start === -1 ? '' : doc.slice(start, end === -1 ? undefined : end);

/** Repository paths the section cites in backticks. */
const paths = [...section.matchAll(/`((?:src|test|data|docs)\/[\w./-]+)`/g)].map((m) => m[1] as string);
/** "`NAME` in `path`" and "`NAME` (`path`)": a name the section says that file holds. */
const names = [...section.matchAll(/`([A-Za-z_]\w*)` (?:in |\()`((?:src|test|data)\/[\w./-]+)`/g)].map((m) => ({ name: m[1] as string, path: m[2] as string }));

/**
 * docs/architecture.md's "How to add a field, a kind, a format" is a
 * checklist people follow: the files and names it gives must exist, and the
 * places it calls derived from the field table must take it from there.
 */
describe('docs/architecture.md: how to add a field, a kind, a format', () => {
  it('is there, and short', () => {
    expect(section).not.toBe('');
    expect(section.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('names files that exist', () => {
    expect(paths.length).toBeGreaterThan(15);
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('names functions, tables and types where they are', () => {
    expect(names.length).toBeGreaterThan(10);
    const missing = names.filter(({ name, path }) => !new RegExp(`\\b${name}\\b`).test(readFileSync(join(ROOT, path), 'utf8')));
    expect(missing).toEqual([]);
  });

  it('the places it calls derived import the field table', () => {
    const derived = section.slice(section.indexOf('Derived, not edited:'), section.indexOf('**A filter kind**'));
    const files = [...derived.matchAll(/`(src\/[\w./-]+\.ts)`/g)].map((m) => m[1] as string);
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.filter((file) => !readFileSync(join(ROOT, file), 'utf8').includes("/article-fields.js'"))).toEqual([]);
  });
});
