import type { ReadershipCounter } from './counter.js';
import { dayOf, type StatsStore } from './day-stats.js';
import { reportDays, summariseFeeds, type FeedSummary } from './report.js';

/** A running readership: counting in memory, flushed to its store every interval. */
export interface Readership {
  readonly counter: ReadershipCounter;
  readonly store: StatsStore;
  /** Today's feeds by subscribers as last read back after a flush (the fleet's on PostgreSQL): what /metrics shows. */
  today(): readonly FeedSummary[];
  /** Stores what was counted now (tests, and at stop). */
  flush(): Promise<void>;
  /** Stops the timer, flushes the last counts and closes the store. */
  stop(): Promise<void>;
}

export interface ReadershipOptions {
  readonly counter: ReadershipCounter;
  readonly store: StatsStore;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** 60,000 by default: a minute of counts is what a crash can lose. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/**
 * Flushes the counter every minute. A flush that fails (disk full, database
 * away) gives its counts back to the counter and is logged once until one
 * succeeds again; the next flush carries them.
 */
export function startReadership(options: ReadershipOptions): Readership {
  const { counter, store, log } = options;
  const now = options.now ?? Date.now;
  let today: readonly FeedSummary[] = [];
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  const flushOnce = async (): Promise<void> => {
    const days = counter.take();
    try {
      if (days.length > 0) await store.add(days);
      // Today only: the gauges need no 7-day figure, and a day file can hold thousands of feeds.
      const day = dayOf(now());
      today = summariseFeeds(reportDays(await store.read(day, day), day));
      if (failing) log('stats: counts are stored again');
      failing = false;
    } catch (error) {
      counter.giveBack(days);
      if (!failing) log(`stats: cannot store the counts (kept in memory, retried every minute): ${(error as Error).message}`, 'warn');
      failing = true;
    }
  };
  const flush = (): Promise<void> => (running = running.then(flushOnce));
  const timer = setInterval(() => void flush(), options.intervalMs ?? 60_000);
  timer.unref();
  return {
    counter,
    store,
    today: () => today,
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
      await store.close();
    },
  };
}
