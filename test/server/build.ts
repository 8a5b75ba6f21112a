import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests that run the server as a real process (or code as another user)
 * need plain JavaScript. This compiles src/ with the project's build config
 * into test-artifacts/build (git-ignored) once per change of the sources,
 * shared by every test file: a lock folder keeps parallel test files from
 * building over each other.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const OUT = join(ROOT, 'test-artifacts', 'build');
const LOCK = join(ROOT, 'test-artifacts', 'build.lock');
const STAMP = join(OUT, '.sources');

function sourcesStamp(): string {
  const stamps: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) stamps.push(`${path}:${statSync(path).mtimeMs}`);
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'scripts'));
  return stamps.sort().join('\n');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Path of the compiled file for a source path such as "src/main.ts" (built first when needed). */
export function builtFile(source: string): string {
  const stamp = sourcesStamp();
  const fresh = (): boolean => existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp;
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  for (let waited = 0; !fresh(); waited += 100) {
    try {
      mkdirSync(LOCK);
    } catch {
      if (waited > 120_000) rmSync(LOCK, { recursive: true, force: true });
      sleep(100);
      continue;
    }
    try {
      if (!fresh()) {
        execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
        writeFileSync(STAMP, stamp);
      }
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  return join(OUT, source.replace(/\.ts$/, '.js'));
}
