import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import config, { TEST_PROJECTS } from '../../vitest.config.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? testFiles(path) : entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const projects = (config.test?.projects ?? []) as { test: { name: string; include: string[] } }[];

/**
 * `npm test` runs every project; `npm test -- --project unit` only the unit
 * one. Every test file must be in exactly one project (none run twice, none
 * left out of `npm test`), and the unit project must hold nothing that needs
 * a database, a browser, a socket or another process, nor change what other
 * unit files share (they run without isolation).
 */
describe('vitest projects', () => {
  it('are the ones vitest.config.ts names, in its order', () => {
    expect(projects.map((p) => p.test.name)).toEqual([...TEST_PROJECTS]);
  });

  it('hold every test file exactly once', () => {
    const listed = projects.flatMap((p) => p.test.include);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(testFiles('test').sort());
  });

  it('keep out of unit whatever opens a database, a browser, a socket or a process', () => {
    const projectOfFile = new Map(projects.flatMap((p) => p.test.include.map((file) => [file, p.test.name] as const)));
    const unit = [...projectOfFile].filter(([file, name]) => name === 'unit' && file !== 'test/architecture/test-projects.test.ts').map(([file]) => file);
    expect(unit.length).toBeGreaterThan(20);
    for (const file of unit) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from '[^']*helpers\/(postgres|backends)\.js'|playwright|from 'node:child_process'|createServer\(|\.listen\(/);
      // Unit files share modules (isolate: false in vitest.config.ts): none may mock one, stub the environment or fake timers.
      expect(text, file).not.toMatch(/vi\.(mock|doMock|stubEnv|stubGlobal|useFakeTimers)\(|process\.env\.\w+ =/);
    }
    expect(projectOfFile.get('test/store/postgres-sync.test.ts')).toBe('postgres');
    expect(projectOfFile.get('test/browser/pages.test.ts')).toBe('browser');
    expect(projectOfFile.get('test/cli/commands.test.ts')).toBe('integration');
    expect(projectOfFile.get('test/http/hostile.test.ts')).toBe('integration');
    expect(projectOfFile.get('test/property/feed-roundtrip.test.ts')).toBe('property');
    expect(projectOfFile.get('test/render/golden.test.ts')).toBe('unit');
  });
});
