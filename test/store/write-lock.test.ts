import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { createFileHistory } from '../../src/store/files/file-history.js';
import { createWriteLock } from '../../src/store/files/write-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-lock-'));
  dirs.push(dir);
  return dir;
}

/** A pid that named a process a moment ago and names none now. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, pidNamespace: readlinkSync('/proc/self/ns/pid'), since: '2026-01-01T00:00:00Z' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the DATA_DIR write lock', () => {
  it('runs one holder at a time and leaves no lock file behind', async () => {
    const path = join(tempDir(), '.write-lock');
    const a = createWriteLock({ path });
    const b = createWriteLock({ path });
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(5);
      inside -= 1;
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).run(work)));
    expect(most).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over at once a lock left by a process on this host that is gone', async () => {
    const path = join(tempDir(), '.write-lock');
    writeFileSync(path, holder(deadPid()));
    const lines: string[] = [];
    const started = Date.now();
    await createWriteLock({ path, log: (line) => lines.push(line) }).run(async () => undefined);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines).toContainEqual(expect.stringMatching(/took over .* from pid \d+/));
  });

  it("waits for a live holder elsewhere while it refreshes the lock, takes over once it falls silent, and names it when it gives up", async () => {
    const path = join(tempDir(), '.write-lock');
    // A holder on another host: its pid means nothing here, only its refreshes count.
    writeFileSync(path, holder(1, 'another-host'));
    const refused = createWriteLock({ path, staleMs: 5_000, waitMs: 300 }).run(async () => 'written');
    await expect(refused).rejects.toThrow(StoreUnavailableError);
    await expect(refused).rejects.toThrow(/pid 1 on another-host/);
    expect(existsSync(path)).toBe(true);
    const silent = new Date(Date.now() - 60_000);
    utimesSync(path, silent, silent);
    await expect(createWriteLock({ path, staleMs: 5_000, waitMs: 300 }).run(async () => 'written')).resolves.toBe('written');
    expect(existsSync(path)).toBe(false);
  });

  it('a held lock stays fresh during a slow write, so a second writer never takes it over', async () => {
    const path = join(tempDir(), '.write-lock');
    const slow = createWriteLock({ path, staleMs: 200, heartbeatMs: 50 });
    const fast = createWriteLock({ path, staleMs: 200, heartbeatMs: 50, waitMs: 5_000 });
    const order: string[] = [];
    await Promise.all([
      slow.run(async () => {
        order.push('slow in');
        await sleep(700);
        order.push('slow out');
      }),
      sleep(20).then(() => fast.run(async () => void order.push('fast'))),
    ]);
    expect(order).toEqual(['slow in', 'slow out', 'fast']);
  });
});

describe('version files', () => {
  it('are never overwritten: two histories appending to one folder without a lock get distinct numbers, all kept', async () => {
    const dataDir = tempDir();
    const one = createFileHistory({ dataDir });
    const two = createFileHistory({ dataDir });
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? one : two).append('raced', { at: new Date(), keyId: null, action: 'updated', size: 1, summary: `write ${i}`, etag: `"e${i}"`, record: `{"n":${i}}` }),
      ),
    );
    expect(new Set(appended.map((v) => v.version)).size).toBe(20);
    const kept = await one.versions('raced');
    expect(kept.map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(kept.map((v) => v.summary)).size).toBe(20);
    expect(readdirSync(join(dataDir, 'history', 'raced'))).toHaveLength(20);
  });
});
