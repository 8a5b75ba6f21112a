import { logToStderr } from '../model/log-line.js';
import type { Delivery, Outbox, Store } from '../store/store.js';
import { feedKey } from '../model/feed-filter.js';
import { urlsOf } from './hub-ping.js';

export interface OutboxPublisherOptions {
  readonly store: Store;
  readonly outbox: Outbox;
  /** WEBSUB_HUB: pinged with every topic URL of the feeds a delivery names. */
  readonly hub?: string;
  /** PURGE_WEBHOOK: POSTed `{"keys": [...], "feeds": [...]}` for each delivery. */
  readonly purgeWebhook?: string;
  readonly clock?: () => Date;
  readonly log?: (line: string, level?: 'info' | 'warn' | 'error') => void;
  readonly onPing?: (outcome: 'accepted' | 'failed' | 'abandoned') => void;
  /** Attempts per delivery before giving up (WEBSUB_ATTEMPTS). */
  readonly attempts?: number;
  /** Delay before the first retry; doubled for each further one. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Per-request time limit. */
  readonly timeoutMs?: number;
  /** How often due retries are looked for (also after a missed notification). */
  readonly pollMs?: number;
}

export interface OutboxPublisher {
  /** Claims and sends every due delivery; resolves when none is left that this replica could claim. */
  drain(): Promise<void>;
  stop(): void;
}

/** setTimeout's limit; a later embargo is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * WebSub pings and CDN purges for a fleet of replicas on one database:
 * every replica runs this, and the outbox's claim (FOR UPDATE SKIP LOCKED)
 * gives each delivery to exactly one of them. Changes arrive in the outbox
 * with their write; embargo releases are recorded by whichever replica's
 * timer fires first (Outbox.recordReleases). A failed target is retried
 * with exponential backoff by whichever replica claims the row next.
 */
export function startOutboxPublisher(options: OutboxPublisherOptions): OutboxPublisher {
  const { store, outbox } = options;
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? logToStderr;
  const onPing = options.onPing ?? (() => undefined);
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let releaseTimer: NodeJS.Timeout | undefined;
  let unreachable = false;

  const post = async (url: string, body: string, contentType: string): Promise<string | undefined> => {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      return (error as Error).message;
    }
  };

  /**
   * Sends one target of a delivery, adding to `done` what got through: the
   * target, or for WebSub each accepted topic ("websub <url>"), so a retry
   * re-sends only the topics the hub refused.
   */
  const send = async (target: string, delivery: Delivery, done: string[]): Promise<string | undefined> => {
    if (target === 'purge' && options.purgeWebhook !== undefined) {
      const keys = delivery.feeds.map((feed) => feedKey(feed.path));
      const reason = await post(options.purgeWebhook, JSON.stringify({ keys, feeds: delivery.feeds.map((feed) => feed.path) }), 'application/json');
      if (reason === undefined) done.push(target);
      return reason;
    }
    if (target !== 'websub' || options.hub === undefined) return undefined;
    const hub = options.hub;
    const failures: string[] = [];
    for (const topic of urlsOf(store.site().baseUrl, delivery.feeds)) {
      if (done.includes(`websub ${topic}`)) continue;
      const reason = await post(hub, new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(), 'application/x-www-form-urlencoded');
      onPing(reason === undefined ? 'accepted' : 'failed');
      if (reason === undefined) done.push(`websub ${topic}`);
      else failures.push(`${topic}: ${reason}`);
    }
    if (failures.length > 0) return failures.join('; ');
    done.push(target);
    log(`websub: hub ${hub} accepted publish of ${delivery.feeds.length} feed(s) (delivery ${delivery.id})`);
    return undefined;
  };

  const deliver = async (delivery: Delivery): Promise<void> => {
    const targets = [...(options.hub === undefined ? [] : ['websub']), ...(options.purgeWebhook === undefined ? [] : ['purge'])];
    const done = [...delivery.done];
    const reasons: string[] = [];
    for (const target of targets) {
      if (done.includes(target)) continue;
      const reason = await send(target, delivery, done);
      if (reason !== undefined) reasons.push(`${target}: ${reason}`);
    }
    if (reasons.length === 0) return outbox.complete(delivery.id);
    if (delivery.attempts >= attempts) {
      if (!done.includes('websub') && targets.includes('websub')) onPing('abandoned');
      log(`outbox: gave up delivery ${delivery.id} after ${delivery.attempts} attempt(s): ${reasons.join('; ')}`, 'error');
      return outbox.complete(delivery.id);
    }
    const delay = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (delivery.attempts - 1));
    log(`outbox: delivery ${delivery.id} failed (${reasons.join('; ')}); retrying in ${delay} ms`, 'warn');
    return outbox.retry(delivery.id, done, delay);
  };

  const drainOnce = async (): Promise<void> => {
    for (;;) {
      // The lease covers sending every URL of a claimed batch with its timeout, so no other replica re-sends meanwhile.
      const batch = await outbox.claim(4, timeoutMs * 40);
      for (const delivery of batch) if (!stopped) await deliver(delivery);
      if (batch.length < 4 || stopped) return;
    }
  };

  /** One drain at a time per replica; a trigger during a drain runs one more after it. */
  const drain = (): Promise<void> => {
    if (draining) {
      again = true;
      return draining;
    }
    draining = (async () => {
      do {
        again = false;
        await drainOnce().then(
          () => {
            if (unreachable) log('outbox: the database answers again; delivering what is due');
            unreachable = false;
          },
          (error: Error) => {
            // Polled every second: say it once per outage, not once a second.
            if (!unreachable) log(`outbox: delivering failed (${error.message}); retrying every poll`, 'warn');
            unreachable = true;
          },
        );
      } while (again && !stopped);
    })().finally(() => (draining = undefined));
    return draining;
  };

  let releaseFailed = false;

  /** Sets the timer for the next embargo release (a write may have added an earlier one). */
  const schedule = async (): Promise<void> => {
    const next = await store.nextRelease(clock());
    if (releaseTimer !== undefined) clearTimeout(releaseTimer);
    releaseTimer = undefined;
    if (next === undefined || stopped) return;
    releaseTimer = setTimeout(() => void release(), Math.min(MAX_TIMER_MS, Math.max(1, next.getTime() - clock().getTime())));
    releaseTimer.unref();
  };

  /** Records releases due by now (once for the fleet), sends them, and sets the timer for the next one. */
  const release = async (): Promise<void> => {
    if (stopped) return;
    try {
      releaseFailed = false;
      if (await outbox.recordReleases(clock())) await drain();
      await schedule();
    } catch (error) {
      releaseFailed = true;
      log(`outbox: recording embargo releases failed (${(error as Error).message}); trying again at the next poll`, 'warn');
    }
  };

  const unsubscribe = store.subscribe(() => {
    void drain();
    void schedule().catch(() => (releaseFailed = true));
  });
  const poll = setInterval(() => {
    void drain();
    // The database was down when a release was due: record it now that it may be back.
    if (releaseFailed) void release();
  }, options.pollMs ?? 1000);
  poll.unref();
  void release().then(drain);

  return {
    drain,
    stop() {
      stopped = true;
      unsubscribe();
      clearInterval(poll);
      if (releaseTimer !== undefined) clearTimeout(releaseTimer);
    },
  };
}
