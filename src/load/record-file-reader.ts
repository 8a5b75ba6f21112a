import { readSync, realpathSync } from 'node:fs';

/** The read buffer a long-lived reader starts with; a reader made for one file allocates just that file's size. */
const FIRST_BUFFER_BYTES = 256 * 1024;

/**
 * What reading many record files reuses, so that a load of 100,000 files
 * does not pay for it per file. One per load, loader thread or store (see
 * load-memo.ts); never module state, so two stores in one process share
 * nothing.
 */
export class RecordFileReader {
  /**
   * Resolved folders, remembered for a second: resolving the folder of each
   * of 100,000 files would cost a second at start, and a folder swapped for
   * a link is still noticed within a second.
   */
  private readonly realDirs = new Map<string, { real: string; at: number }>();
  /**
   * One read buffer, reused: every record is decoded into strings straight
   * after it is read and the bytes are never kept. A fresh buffer per file
   * made 100,000 external allocations, and the garbage collector ran on
   * their account for a fifth of the load time.
   */
  private scratch: Buffer | undefined;

  /** `firstBufferBytes`: 0 for a reader of one file, whose buffer is then that file's size (no 256 KB per call). */
  constructor(private readonly firstBufferBytes = FIRST_BUFFER_BYTES) {}

  /** realpathSync(dir), remembered for a second. */
  realDir(dir: string): string {
    const now = Date.now();
    const known = this.realDirs.get(dir);
    if (known !== undefined && now - known.at < 1000) return known.real;
    const real = realpathSync(dir);
    if (this.realDirs.size > 64) this.realDirs.clear();
    this.realDirs.set(dir, { real, at: now });
    return real;
  }

  /** The first `size` bytes of `fd` (fewer if it is shorter), in the reused buffer: valid until the next read. */
  readAll(fd: number, size: number): Buffer {
    if (this.scratch === undefined || this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, this.firstBufferBytes, (this.scratch?.length ?? 0) * 2));
    const buffer = this.scratch;
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  }
}

/** A reader for one read: nothing to reuse, so no memo and a buffer of exactly the file's size. */
export function oneReadReader(): RecordFileReader {
  return new RecordFileReader(0);
}
