import type { AuditEntry } from '../store/versions.js';
import { clientKey } from './rate-limit.js';

/** A minute: the span one tally line covers. */
const WINDOW_MS = 60_000;
/** Clients tallied at once; past it the oldest tally is written out early (bounded memory under a flood from many addresses). */
const MAX_CLIENTS = 1_000;

export interface RefusalTallyOptions {
  /** Appends one audit line (the store's history.audit). */
  readonly write: (entry: AuditEntry) => Promise<void>;
  readonly clock: () => Date;
  /** Where a failed write is reported. */
  readonly log: (line: string) => void;
}

interface Tally {
  readonly window: number;
  readonly first: Omit<AuditEntry, 'at' | 'count'>;
  count: number;
}

/** The audit trail's tally of refused requests that carried no accepted key. */
export interface RefusalTally {
  /** Counts one refusal; written when its client's minute ends. */
  record(entry: AuditEntry): void;
  /** Writes every tally whose minute has ended (GET /api/audit asks first, so a read shows every minute that is over). */
  flushEnded(): Promise<void>;
}

/**
 * Refusals without an accepted key (401, 403) are tallied, one audit line
 * per client (an IPv4 address, an IPv6 /64) and minute, with `count`: each
 * was one fsynced line, and 1,100 such requests a second wrote 460 KB/s,
 * 40 GB a day from one client. The line holds the minute's first request
 * (method, id, status, reason) and is written when the minute ends, with
 * `at` the time it is written. Writes by a key are not tallied: each keeps
 * its own line. A tally still in memory when the process stops is lost: at
 * most the last minute of refusals without a key.
 */
export function createRefusalTally(options: RefusalTallyOptions): RefusalTally {
  const tallies = new Map<string, Tally>();
  let timer: NodeJS.Timeout | undefined;

  const write = (tally: Tally): Promise<void> =>
    options
      .write({ ...tally.first, at: options.clock(), count: tally.count })
      .catch((error: Error) => options.log(`audit: could not record ${tally.count} refused requests without a key from ${tally.first.client}: ${error.message}`));

  const flushEnded = async (): Promise<void> => {
    const window = Math.floor(options.clock().getTime() / WINDOW_MS);
    const ended = [...tallies].filter(([, tally]) => tally.window < window);
    for (const [key] of ended) tallies.delete(key);
    if (tallies.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
    await Promise.all(ended.map(([, tally]) => write(tally)));
  };

  return {
    record(entry) {
      const key = clientKey(entry.client);
      const window = Math.floor(entry.at.getTime() / WINDOW_MS);
      const current = tallies.get(key);
      if (current && current.window === window) {
        current.count += 1;
        return;
      }
      if (current) {
        tallies.delete(key);
        void write(current);
      }
      const { at: _at, count: _count, ...first } = entry;
      tallies.set(key, { window, first, count: 1 });
      if (tallies.size > MAX_CLIENTS) {
        const [oldest, tally] = tallies.entries().next().value as [string, Tally];
        tallies.delete(oldest);
        void write(tally);
      }
      // Unref'd: a quiet server's tallies are written within a minute or two, and the timer never holds the process open.
      timer ??= setInterval(() => void flushEnded(), WINDOW_MS).unref();
    },
    flushEnded,
  };
}
