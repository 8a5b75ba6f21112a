import { feedKey } from '../model/feed-filter.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { Delivery, Outbox } from '../store/store.js';
import { backoffDelay, delayUntil, FORM_TYPE, postOnce, publishForm, publisherSettingsOf, urlsOf, type PublisherOptions, type PublisherSettings, type PurgeTarget } from './hub-ping.js';

export interface OutboxPublisherOptions extends PublisherOptions {
  readonly outbox: Outbox;
  /** How often due retries are looked for (also after a missed notification). */
  readonly pollMs?: number;
  /**
   * How long a claim lasts unless renewed (default 30 s). A replica renews its
   * claim every third of it while it sends, so a replica that dies mid-send
   * hands its deliveries to another within this time.
   */
  readonly leaseMs?: number;
}

export interface OutboxPublisher {
  /** Claims and sends every due delivery; resolves when none is left that this replica could claim. */
  drain(): Promise<void>;
  stop(): void;
}

/**
 * WebSub pings and CDN purges for a fleet of replicas on one database:
 * every replica runs this, and the outbox's claim (FOR UPDATE SKIP LOCKED)
 * gives each delivery to exactly one of them. Changes arrive in the outbox
 * with their write; embargo releases are recorded by whichever replica's
 * timer fires first (Outbox.recordReleases). A failed target is retried
 * with exponential backoff by whichever replica claims the row next.
 */
export function startOutboxPublisher(options: OutboxPublisherOptions): OutboxPublisher {
  const publisher = new FleetPublisher(settingsOf(options));
  publisher.start();
  return { drain: () => publisher.drain(), stop: () => publisher.stop() };
}

interface Settings extends PublisherSettings {
  readonly outbox: Outbox;
  readonly pollMs: number;
  readonly leaseMs: number;
}

function settingsOf(options: OutboxPublisherOptions): Settings {
  return { ...publisherSettingsOf(options), outbox: options.outbox, pollMs: options.pollMs ?? 1000, leaseMs: options.leaseMs ?? 30_000 };
}

/** Deliveries claimed at once. */
const BATCH = 4;

/** While the database cannot record a sent delivery, how often recording is tried again. */
const RECORD_RETRY_MS = 250;

/**
 * One replica's share of the fleet's deliveries, read top-down: what wakes
 * it (a change, the poll, the embargo timer), draining the outbox one
 * claimed batch at a time, sending one delivery's targets, and deciding
 * what a failed delivery becomes.
 */
class FleetPublisher {
  private stopped = false;
  private unsubscribe: () => void = () => undefined;
  private poll: NodeJS.Timeout | undefined;
  /** The drain running now, if any. */
  private draining: Promise<void> | undefined;
  /** A trigger arrived during the running drain: run one more after it. */
  private again = false;
  /** The last drain could not reach the database (logged once per outage). */
  private unreachable = false;
  /** The embargo timer: set for the next release, if any. */
  private releaseTimer: NodeJS.Timeout | undefined;
  /** Recording the due releases failed: the poll tries again. */
  private releaseFailed = false;

  constructor(private readonly settings: Settings) {}

  start(): void {
    this.unsubscribe = this.settings.store.subscribe(() => this.onChange());
    this.poll = setInterval(() => this.onPoll(), this.settings.pollMs);
    this.poll.unref();
    void this.release().then(() => this.drain());
  }

  /** A write: its delivery is in the outbox; it may also have added an earlier embargo release. */
  private onChange(): void {
    void this.drain();
    void this.scheduleNextRelease().catch(() => (this.releaseFailed = true));
  }

  private onPoll(): void {
    void this.drain();
    // The database was down when a release was due: record it now that it may be back.
    if (this.releaseFailed) void this.release();
  }

  /** Records releases due by now (once for the fleet), sends them, and sets the timer for the next one. */
  private async release(): Promise<void> {
    if (this.stopped) return;
    try {
      this.releaseFailed = false;
      if (await this.settings.outbox.recordReleases(this.settings.clock())) await this.drain();
      await this.scheduleNextRelease();
    } catch (error) {
      this.releaseFailed = true;
      this.settings.log(`outbox: recording embargo releases failed (${(error as Error).message}); trying again at the next poll`, 'warn');
    }
  }

  /** Sets the timer for the next embargo release (a write may have added an earlier one). */
  private async scheduleNextRelease(): Promise<void> {
    const { store, clock } = this.settings;
    const next = await store.nextRelease(clock());
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    if (next === undefined || this.stopped) return;
    this.releaseTimer = setTimeout(() => void this.release(), delayUntil(next, clock()));
    this.releaseTimer.unref();
  }

  /** One drain at a time per replica; a trigger during a drain runs one more after it. */
  drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.drainWhileTriggered().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainWhileTriggered(): Promise<void> {
    do {
      this.again = false;
      await this.drainOnce().then(
        () => this.noteReachable(),
        (error: Error) => this.noteUnreachable(error),
      );
    } while (this.again && !this.stopped);
  }

  private noteReachable(): void {
    if (this.unreachable) this.settings.log('outbox: the database answers again; delivering what is due');
    this.unreachable = false;
  }

  private noteUnreachable(error: Error): void {
    // Polled every second: say it once per outage, not once a second.
    if (!this.unreachable) this.settings.log(`outbox: delivering failed (${error.message}); retrying every poll`, 'warn');
    this.unreachable = true;
  }

  /** Claims and delivers batches until fewer than a full batch are due. */
  private async drainOnce(): Promise<void> {
    for (;;) {
      const batch = await this.settings.outbox.claim(BATCH, this.settings.leaseMs);
      const held = this.holdClaims(batch);
      try {
        for (const delivery of batch) {
          if (this.stopped) break;
          await this.deliver(delivery);
          held.done(delivery.id);
        }
      } finally {
        held.stop();
      }
      if (batch.length < BATCH || this.stopped) return;
    }
  }

  /**
   * Renews the claim on the batch's unrecorded deliveries every third of the
   * lease while they are sent and recorded: a hub that answers slowly (a
   * timeout per topic URL) may take longer than the lease, and no other
   * replica may re-send meanwhile. A renewal that fails (the database is
   * down) is left to the next. (A renewal landing just after a delivery's
   * retry was scheduled pushes that retry back by at most one lease.)
   */
  private holdClaims(batch: readonly Delivery[]): { done(id: number): void; stop(): void } {
    const { outbox, leaseMs } = this.settings;
    const unsent = new Set(batch.map((delivery) => delivery.id));
    const timer = setInterval(() => {
      if (unsent.size > 0) void outbox.extend([...unsent], leaseMs).catch(() => undefined);
    }, Math.max(10, Math.floor(leaseMs / 3)));
    timer.unref();
    return { done: (id) => unsent.delete(id), stop: () => clearInterval(timer) };
  }

  /** Sends the targets a delivery has not yet got through, then completes it or schedules its retry. */
  private async deliver(delivery: Delivery): Promise<void> {
    const targets = this.targets();
    const done = [...delivery.done];
    const reasons: string[] = [];
    for (const target of targets) {
      if (done.includes(target)) continue;
      const reason = await this.send(target, delivery, done);
      if (reason !== undefined) reasons.push(`${target}: ${reason}`);
    }
    if (reasons.length === 0) return this.record(delivery, () => this.settings.outbox.complete(delivery.id));
    return this.retryOrGiveUp(delivery, targets, done, reasons);
  }

  /**
   * Records what became of a delivery that was sent, trying again every
   * RECORD_RETRY_MS while the database cannot answer, with the claim still
   * held (holdClaims renews it). Giving up here would let the lease run out
   * and another replica send it all again: 1-3 changes sent twice per
   * 20 s outage (issue 23). What is left is at least once, with a duplicate
   * only when this replica dies between sending and recording.
   */
  private async record(delivery: Delivery, write: () => Promise<void>): Promise<void> {
    for (let failed = false; ; failed = true) {
      try {
        return await write();
      } catch (error) {
        if (this.stopped || !(error instanceof StoreUnavailableError)) throw error;
        if (!failed) this.settings.log(`outbox: delivery ${delivery.id} was sent but recording it failed (${error.message}); holding it and trying again until the database answers`, 'warn');
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
      }
    }
  }

  private targets(): string[] {
    return [...(this.settings.hub === undefined ? [] : ['websub']), ...this.settings.purge.map((target) => target.name)];
  }
  /** A failed delivery: retried with backoff by whichever replica claims it next, or given up after `attempts`. */
  private async retryOrGiveUp(delivery: Delivery, targets: readonly string[], done: readonly string[], reasons: readonly string[]): Promise<void> {
    const { outbox, log, onPing, attempts } = this.settings;
    if (delivery.attempts >= attempts) {
      if (!done.includes('websub') && targets.includes('websub')) onPing('abandoned');
      log(`outbox: gave up delivery ${delivery.id} after ${delivery.attempts} attempt(s): ${reasons.join('; ')}`, 'error');
      return this.record(delivery, () => outbox.complete(delivery.id));
    }
    const delay = backoffDelay(delivery.attempts, this.settings);
    log(`outbox: delivery ${delivery.id} failed (${reasons.join('; ')}); retrying in ${delay} ms`, 'warn');
    return this.record(delivery, () => outbox.retry(delivery.id, done, delay));
  }

  /** Sends one target of a delivery, adding to `done` what got through; resolves to why it failed, if it did. */
  private send(target: string, delivery: Delivery, done: string[]): Promise<string | undefined> {
    const { hub, purge } = this.settings;
    if (target === 'websub' && hub !== undefined) return this.sendWebSub(hub, delivery, done);
    const purger = purge.find((candidate) => candidate.name === target);
    if (purger !== undefined) return this.sendPurge(purger, delivery, done);
    return Promise.resolve(undefined);
  }

  private async sendPurge(target: PurgeTarget, delivery: Delivery, done: string[]): Promise<string | undefined> {
    const keys = delivery.feeds.map((feed) => feedKey(feed.path));
    const reason = await target.purge(keys, delivery.feeds.map((feed) => feed.path), this.settings.timeoutMs);
    if (reason !== undefined) return reason;
    done.push(target.name);
    return undefined;
  }

  /** Pings each topic not yet accepted ("websub <url>" in `done`), so a retry re-sends only the topics the hub refused. */
  private async sendWebSub(hub: string, delivery: Delivery, done: string[]): Promise<string | undefined> {
    const failures: string[] = [];
    for (const topic of urlsOf(this.settings.store.site().baseUrl, delivery.feeds)) {
      if (done.includes(`websub ${topic}`)) continue;
      const result = await postOnce(hub, publishForm(topic), FORM_TYPE, this.settings.timeoutMs);
      this.settings.onPing(result.ok ? 'accepted' : 'failed');
      if (result.ok) done.push(`websub ${topic}`);
      else failures.push(`${topic}: ${result.reason}`);
    }
    if (failures.length > 0) return failures.join('; ');
    done.push('websub');
    this.settings.log(`websub: hub ${hub} accepted publish of ${delivery.feeds.length} feed(s) (delivery ${delivery.id})`);
    return undefined;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    clearInterval(this.poll);
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
  }
}
