import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

/** Whether this run may write golden files: only when asked, with UPDATE_GOLDEN=1. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares `actual` with test/golden/`name`. A missing golden file fails,
 * locally as in CI (vitest's file snapshots write a missing one and pass,
 * so a new format's output went unreviewed: issue 28); with `update`
 * (UPDATE_GOLDEN=1) the file is written instead, to be reviewed as a diff.
 */
export function expectGolden(actual: string, name: string, update = UPDATE_GOLDEN): void {
  const path = `${GOLDEN_DIR}${name}`;
  if (update) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`test/golden/${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts to write it, then review and commit it`);
  }
  expect(actual, `test/golden/${name} differs; if the change is meant, accept it with UPDATE_GOLDEN=1 and review the diff`).toBe(readFileSync(path, 'utf8'));
}
