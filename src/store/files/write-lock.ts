import { randomInt } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { StoreUnavailableError } from '../errors.js';

/**
 * One writer at a time for a DATA_DIR, across every process that writes to
 * it: two servers overlapping in a rolling deploy, two `createWirefeed`
 * mounted on one folder, a server and a second one started by mistake.
 * A check-and-write (If-Match, the next version number, the file) runs
 * only while this process holds the lock file, made with O_EXCL so exactly
 * one process can hold it. Node has no flock(2), and an O_EXCL file also
 * works on NFS v3+ volumes, where flock does not reach other hosts.
 *
 * A holder that dies leaves its file behind. It is taken as stale when its
 * pid is gone on this host and in this pid namespace (a crash: taken at
 * once), or when its holder has not refreshed it for `staleMs` (another
 * host or container, whose pids mean nothing here). A live holder refreshes
 * its mtime every `heartbeatMs`, so a slow write is never taken as stale.
 */
export interface WriteLockOptions {
  /** The lock file: DATA_DIR/history/.write-lock. */
  readonly path: string;
  /** A holder silent this long is taken as gone (default 10 s: 10 missed heartbeats). */
  readonly staleMs?: number;
  readonly heartbeatMs?: number;
  /** A write waiting longer than this is refused with a 503 naming the holder (default 20 s). */
  readonly waitMs?: number;
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
}

export interface WriteLock {
  /** Runs `work` holding the lock; writes of this process queue in order, others wait for the file. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** The lock file's name inside DATA_DIR/history (the loader and the watcher never look there). */
export const WRITE_LOCK_FILE = '.write-lock';

/** What a holder writes into the lock file, to be judged by the next writer. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  /** The pid namespace (Linux: /proc/self/ns/pid), so a pid is checked only where it means this process. */
  readonly pidNamespace: string;
  readonly since: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return 'unknown';
  }
}

/** True unless the pid certainly names no process (ESRCH); EPERM means it runs as another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.pidNamespace === 'string' ? (value as Holder) : undefined;
  } catch {
    // Empty or torn: its holder died between creating and filling it; only its age can tell.
    return undefined;
  }
}

export function createWriteLock(options: WriteLockOptions): WriteLock {
  const { path } = options;
  const staleMs = options.staleMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const waitMs = options.waitMs ?? 20_000;
  const me: Holder = { pid: process.pid, host: hostname(), pidNamespace: pidNamespace(), since: '' };
  let queue: Promise<unknown> = Promise.resolve();

  const isStale = (holder: Holder | undefined, mtimeMs: number): boolean => {
    if (holder && holder.host === me.host && holder.pidNamespace === me.pidNamespace && holder.pidNamespace !== 'unknown' && holder.pid !== me.pid && !isAlive(holder.pid)) return true;
    return Date.now() - mtimeMs > staleMs;
  };

  /**
   * Removes the lock file if it is stale; true when the caller should try
   * to take it again at once. The file is judged through an open handle, so
   * its inode cannot be reused meanwhile, and moved aside before removal:
   * if another writer broke it and took a fresh lock in between, the file
   * moved aside is that fresh one (another inode) and is linked back.
   */
  const breakIfStale = async (): Promise<{ retry: boolean; holder?: Holder }> => {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { retry: true };
      throw error;
    }
    try {
      const seen = await handle.stat();
      const holder = parseHolder(await handle.readFile('utf8'));
      if (!isStale(holder, seen.mtimeMs)) return { retry: false, ...(holder ? { holder } : {}) };
      const aside = `${path}.stale-${process.pid}-${randomInt(2 ** 48 - 1)}`;
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { retry: true };
        throw error;
      }
      const moved = await stat(aside);
      if (moved.ino !== seen.ino || moved.dev !== seen.dev) await link(aside, path).catch(() => undefined);
      else options.log?.(`write lock: took over ${path} from ${holder ? `pid ${holder.pid} on ${holder.host}` : 'a writer that left it empty'}, silent or gone`, 'warn');
      await unlink(aside).catch(() => undefined);
      return { retry: true };
    } finally {
      await handle.close();
    }
  };

  /** Takes the lock file, waiting for its holder; returns the handle that keeps it fresh. */
  const acquire = async (): Promise<FileHandle> => {
    await mkdir(dirname(path), { recursive: true });
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const handle = await open(path, 'wx', 0o644);
        await handle.writeFile(`${JSON.stringify({ ...me, since: new Date().toISOString() })}\n`);
        return handle;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const { retry, holder } = await breakIfStale();
      if (retry) continue;
      if (Date.now() - started > waitMs) {
        const who = holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another writer';
        throw new StoreUnavailableError(`DATA_DIR is being written by ${who} (${path}); waited ${Math.round(waitMs / 1000)} s, nothing was written.`);
      }
      // Writes take milliseconds: poll fast at first, then back off, with jitter so waiters do not march in step.
      await sleep(Math.min(50, 1 + attempt) + randomInt(5));
    }
  };

  const release = async (handle: FileHandle): Promise<void> => {
    try {
      const [mine, there] = await Promise.all([handle.stat(), stat(path).catch(() => undefined)]);
      // Only our own file: if ours was taken over as stale, the file there now is another writer's.
      if (there && there.ino === mine.ino && there.dev === mine.dev) await unlink(path);
    } finally {
      await handle.close();
    }
  };

  const hold = async <T>(work: () => Promise<T>): Promise<T> => {
    const handle = await acquire();
    // The handle, not the path: a refresh must never touch a lock another writer took over.
    const beat = setInterval(() => void handle.utimes(new Date(), new Date()).catch(() => undefined), heartbeatMs);
    beat.unref();
    try {
      return await work();
    } finally {
      clearInterval(beat);
      await release(handle);
    }
  };

  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      const result = queue.then(() => hold(work));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
