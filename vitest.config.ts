import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The test projects, so a run can be aimed: `npm test` runs them all (what
 * CI runs); `npm test -- --project unit` only the in-process tests that
 * need no server, process, database or browser (under 30 s). A file's
 * project is derived from what it uses, never listed by hand, so a new test
 * lands in the right one; test/architecture/test-projects.test.ts checks
 * every file is in exactly one.
 */
export const TEST_PROJECTS = ['unit', 'property', 'integration', 'postgres', 'browser'] as const;
export type TestProject = (typeof TEST_PROJECTS)[number];

/** A module a test file imports (statically or with import()) whose path matches `path`. */
const imports = (path: string): RegExp => new RegExp(`(^import [^;]*?|import\\()'[^']*(${path})'`, 'm');

/** What puts a test file in a project other than unit, first match (on its path or its source) wins. */
const NEEDS: readonly (readonly [TestProject, RegExp])[] = [
  // Chromium through playwright-core (the harness), or the pages' accessibility run.
  ['browser', /^test\/browser\//],
  // A scratch PostgreSQL database: the helpers that make one, or the backend pair of the differential test.
  ['postgres', imports('helpers/(postgres|backends|write-backends|throwaway-cluster)\\.js|/backend-pair\\.js')],
  // Child processes, worker threads, the built dist/ (builtFile), timing measurements.
  ['integration', /^test\/perf\//],
  ['integration', imports('node:child_process|node:worker_threads|helpers/server\\.js|/build\\.js')],
  // Sockets: an app or server listening.
  ['integration', /createApp\(|createServer\(|\.listen\(/],
  // fast-check runs of hundreds of generated records or operations.
  ['property', /^test\/property\/|\.property\.test\.ts$/],
];

/** The project of the test file at `file` (relative to the repository, with "/"), whose source is `text`. */
export function projectOf(file: string, text: string): TestProject {
  return NEEDS.find(([, pattern]) => pattern.test(file) || pattern.test(text))?.[0] ?? 'unit';
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const root = fileURLToPath(new URL('.', import.meta.url));
const byProject = new Map<TestProject, string[]>(TEST_PROJECTS.map((project) => [project, []]));
for (const path of testFiles(join(root, 'test'))) {
  const file = relative(root, path).split('\\').join('/');
  byProject.get(projectOf(file, readFileSync(path, 'utf8')))?.push(file);
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Fails a test in which an /api answer does not match /api/openapi.json (test/helpers/openapi-check.ts).
    setupFiles: ['test/helpers/openapi-setup.ts'],
    projects: TEST_PROJECTS.map((name) => ({
      extends: true,
      // Unit files share one module graph per worker (no re-import per file: most of the unit run's time was
      // importing); safe because src/ keeps no module state (test/architecture/module-state.test.ts) and no
      // unit file mocks modules, stubs the environment or fakes timers (test-projects.test.ts checks).
      test: { name, include: byProject.get(name) ?? [], ...(name === 'unit' ? { isolate: false } : {}) },
    })),
  },
});
