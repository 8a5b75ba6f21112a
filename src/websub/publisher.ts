import type { ChangedFeed } from '../model/feed-filter.js';
import { FEED_FORMATS, FORMATS } from '../render/render.js';
import type { Store } from '../store/store.js';
import { logToStderr } from '../model/log-line.js';

export interface WebSubOptions {
  /** The hub's publish endpoint. */
  readonly hub: string;
  readonly store: Store;
  readonly clock?: () => Date;
  /** Outcomes are reported here; `level` defaults to info. */
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** Told of every ping attempt's outcome (metrics): accepted, failed (retried) or abandoned. */
  readonly onPing?: (outcome: 'accepted' | 'failed' | 'abandoned') => void;
  /** Attempts per URL before giving up; 1 means no retry. */
  readonly attempts?: number;
  /** Delay before the first retry; doubled for each further one. */
  readonly retryDelayMs?: number;
  /** Longest wait between attempts. */
  readonly maxRetryDelayMs?: number;
  /** Per-request time limit. */
  readonly timeoutMs?: number;
  /** Pings sent at once, at most. */
  readonly concurrency?: number;
}

/** A running publisher: it listens to the store until stopped. */
export interface WebSubPublisher {
  /** Pings the feeds embargo releases changed since the last check: what the embargo timer runs. */
  check(): void;
  /** Resolves when every ping queued so far is done (sent, or given up). */
  idle(): Promise<void>;
  stop(): void;
}

/** The topic URLs (absolute feed URLs, every format) of the feeds that changed. */
export function urlsOf(baseUrl: string, feeds: readonly ChangedFeed[]): string[] {
  return feeds.flatMap((feed) => FEED_FORMATS.map((format) => `${baseUrl}${feed.path}/${FORMATS[format].fileName}`));
}

/** setTimeout's limit; a later embargo is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Tells a WebSub hub which feeds changed: listens to the store's change
 * notification and to embargo releases (a timer set for the next one), and
 * POSTs `hub.mode=publish&hub.url=<topic>` for every feed URL whose
 * content changed, one request per URL (the form every hub accepts). Pings
 * run in the background with exponential backoff; serving never waits for
 * them. Outcomes are logged.
 */
export function startWebSubPublisher(options: WebSubOptions): WebSubPublisher {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? logToStderr;
  const onPing = options.onPing ?? (() => undefined);
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 4;

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const queue: string[] = [];
  let running = 0;
  /** Store changes whose comparison has not run yet. */
  let comparing = 0;
  let idleWaiters: (() => void)[] = [];


  const settleIdle = (): void => {
    if (running > 0 || queue.length > 0 || comparing > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = (): void => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const url = queue.shift() as string;
      running += 1;
      void ping(url).finally(() => {
        running -= 1;
        pump();
        settleIdle();
      });
    }
    if (stopped) queue.length = 0;
    settleIdle();
  };

  const ping = (url: string): Promise<void> =>
    pingHub(options.hub, url, { attempts, retryDelayMs, maxRetryDelayMs, timeoutMs, stopped: () => stopped, log, onPing });

  const publish = (urls: readonly string[]): void => {
    for (const url of urls) if (!queue.includes(url)) queue.push(url);
    pump();
  };

  /** Embargo releases up to this instant have been announced. */
  let releasedUpTo = clock();

  const schedule = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    const release = await options.store.nextRelease(releasedUpTo);
    if (release === undefined || stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, release.getTime() - clock().getTime()));
    timer = setTimeout(check, delay);
    // Never keeps the process alive on its own.
    timer.unref();
  };

  const announce = (feeds: readonly ChangedFeed[]): void => {
    const urls = urlsOf(options.store.site().baseUrl, feeds);
    if (urls.length > 0) {
      log(`websub: ${urls.length} feed URL(s) changed`);
      publish(urls);
    }
  };

  /** Runs `work` in the background, counted for idle(); failures are logged, never thrown at the caller. */
  const background = (work: () => Promise<void>): void => {
    comparing += 1;
    setImmediate(() => {
      work()
        .catch((error: unknown) => log(`websub: could not work out the changed feeds: ${(error as Error).stack ?? String(error)}`, 'error'))
        .finally(() => {
          comparing -= 1;
          settleIdle();
        });
    });
  };

  /** Announces the feeds embargo releases changed since the last check, then waits for the next release. */
  function check(): void {
    if (stopped) return;
    background(async () => {
      const now = clock();
      const from = releasedUpTo;
      releasedUpTo = now;
      if (now > from) announce(await options.store.releasedFeeds(from, now));
      await schedule();
    });
  }

  // The comparison runs after the change has been made, outside the writer's stack, so a write is never slowed by it.
  const unsubscribe = options.store.subscribe((change) => {
    background(async () => {
      if (stopped) return;
      announce(change.feeds);
      await schedule();
    });
  });
  background(schedule);

  return {
    check,
    idle: () => (running === 0 && queue.length === 0 && comparing === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    stop() {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      queue.length = 0;
      settleIdle();
    },
  };
}

export interface PingOptions {
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number;
  /** True once the publisher stops: no further attempt. */
  readonly stopped: () => boolean;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  readonly onPing: (outcome: 'accepted' | 'failed' | 'abandoned') => void;
}

/**
 * One publish ping for one topic URL, retried with exponential backoff
 * (retryDelayMs, doubled per attempt, at most maxRetryDelayMs) until the hub
 * accepts it (2xx) or `attempts` run out. Every outcome is logged and counted.
 */
export async function pingHub(hub: string, url: string, options: PingOptions): Promise<void> {
  const { attempts, log, onPing } = options;
  let reason = '';
  for (let attempt = 1; attempt <= attempts && !options.stopped(); attempt++) {
    try {
      const response = await fetch(hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': url }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        onPing('accepted');
        log(`websub: hub ${hub} accepted publish of ${url} (${response.status}${attempt > 1 ? `, attempt ${attempt}` : ''})`);
        return;
      }
      reason = `HTTP ${response.status}`;
    } catch (error) {
      reason = (error as Error).message;
    }
    onPing('failed');
    if (attempt < attempts && !options.stopped()) {
      const delay = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** (attempt - 1));
      log(`websub: publish of ${url} to ${hub} failed (${reason}); retrying in ${delay} ms`, 'warn');
      await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
    }
  }
  onPing('abandoned');
  log(`websub: gave up publishing ${url} to ${hub} after ${attempts} attempt(s): ${reason}`, 'error');
}
