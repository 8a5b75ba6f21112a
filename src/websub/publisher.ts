import { feedKey, type ChangedFeed } from '../model/feed-filter.js';
import { delayUntil, pingHub, publisherSettingsOf, retried, urlsOf, type PublisherOptions, type PublisherSettings, type PurgeTarget } from './hub-ping.js';

/** In one process (a files-backend server) purges need no outbox: each change is sent as it happens. */
export interface WebSubOptions extends PublisherOptions {
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

/**
 * Tells a WebSub hub (and the purge targets) which feeds changed: listens to the store's change
 * notification and to embargo releases (a timer set for the next one), and
 * POSTs `hub.mode=publish&hub.url=<topic>` for every feed URL whose
 * content changed, one request per URL (the form every hub accepts). Pings
 * run in the background with exponential backoff; serving never waits for
 * them. Outcomes are logged.
 */
export function startWebSubPublisher(options: WebSubOptions): WebSubPublisher {
  const publisher = new InProcessPublisher(settingsOf(options));
  publisher.start();
  return { check: () => publisher.check(), idle: () => publisher.idle(), stop: () => publisher.stop() };
}

interface Settings extends PublisherSettings {
  readonly concurrency: number;
}

function settingsOf(options: WebSubOptions): Settings {
  return { ...publisherSettingsOf(options), concurrency: options.concurrency ?? 4 };
}

/**
 * The publisher of one process, read top-down: what starts it (a store
 * change, the embargo timer), how a change becomes topic URLs, how the URLs
 * are queued and sent a few at a time, and how idle() and stop() know when
 * everything is done.
 */
class InProcessPublisher {
  private stopped = false;
  private unsubscribe: () => void = () => undefined;
  /** Embargo releases up to this instant have been announced. */
  private releasedUpTo: Date;
  /** The embargo timer: set for the next release, if any. */
  private timer: NodeJS.Timeout | undefined;
  /** Topic URLs waiting for a free slot, each at most once. */
  private readonly queue: string[] = [];
  /** Pings in flight (each with its retries). */
  private running = 0;
  /** Background steps (a store change's comparison, an embargo check) not finished yet. */
  private pendingSteps = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly settings: Settings) {
    this.releasedUpTo = settings.clock();
  }

  // The comparison runs after the change has been made, outside the writer's stack, so a write is never slowed by it.
  start(): void {
    this.unsubscribe = this.settings.store.subscribe((change) => this.inBackground(() => this.announceChange(change.feeds)));
    this.inBackground(() => this.scheduleNextRelease());
  }

  /** A store change: ping its feeds, then reset the embargo timer (the change may have added an earlier release). */
  private async announceChange(feeds: readonly ChangedFeed[]): Promise<void> {
    if (this.stopped) return;
    this.announce(feeds);
    await this.scheduleNextRelease();
  }

  /** Announces the feeds embargo releases changed since the last check, then waits for the next release. */
  check(): void {
    if (this.stopped) return;
    this.inBackground(() => this.announceReleases());
  }

  private async announceReleases(): Promise<void> {
    const now = this.settings.clock();
    const from = this.releasedUpTo;
    this.releasedUpTo = now;
    if (now > from) this.announce(await this.settings.store.releasedFeeds(from, now));
    await this.scheduleNextRelease();
  }

  /** Sets the embargo timer for the next release after the last one announced; none when there is none. */
  private async scheduleNextRelease(): Promise<void> {
    this.clearTimer();
    if (this.stopped) return;
    const release = await this.settings.store.nextRelease(this.releasedUpTo);
    if (release === undefined || this.stopped) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.check(), delayUntil(release, this.settings.clock()));
    // Never keeps the process alive on its own.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Purges the changed feeds' keys everywhere and queues every topic URL of them for the hub. */
  private announce(feeds: readonly ChangedFeed[]): void {
    if (feeds.length > 0) for (const target of this.settings.purge) this.sendPurge(target, feeds);
    if (this.settings.hub === undefined) return;
    const urls = urlsOf(this.settings.store.site().baseUrl, feeds);
    if (urls.length === 0) return;
    this.settings.log(`websub: ${urls.length} feed URL(s) changed`);
    for (const url of urls) if (!this.queue.includes(url)) this.queue.push(url);
    this.sendQueued();
  }

  /** Starts pings for queued URLs while fewer than `concurrency` are in flight. */
  private sendQueued(): void {
    while (!this.stopped && this.running < this.settings.concurrency && this.queue.length > 0) this.send(this.queue.shift() as string);
    if (this.stopped) this.queue.length = 0;
    this.settleIdle();
  }

  /** One purge with its retries, outside the hub's queue: a cache waits for no ping. */
  private sendPurge(target: PurgeTarget, feeds: readonly ChangedFeed[]): void {
    const { log, timeoutMs } = this.settings;
    const keys = feeds.map((feed) => feedKey(feed.path));
    const paths = feeds.map((feed) => feed.path);
    this.running += 1;
    void retried(() => target.purge(keys, paths, timeoutMs), { ...this.settings, stopped: () => this.stopped }, (reason, retryIn) => {
      if (retryIn !== undefined) log(`${target.name}: ${keys.length} key(s) failed (${reason}); retrying in ${retryIn} ms`, 'warn');
    })
      .then((reason) => log(reason === undefined ? `${target.name}: purged ${keys.length} key(s)` : `${target.name}: gave up purging ${keys.join(' ')} after ${this.settings.attempts} attempt(s): ${reason}`, reason === undefined ? 'info' : 'error'))
      .finally(() => {
        this.running -= 1;
        this.settleIdle();
      });
  }

  /** One URL's ping with its retries; when it is done, the next queued URL takes its slot. */
  private send(url: string): void {
    this.running += 1;
    void pingHub(this.settings.hub as string, url, { ...this.settings, stopped: () => this.stopped }).finally(() => {
      this.running -= 1;
      this.sendQueued();
      this.settleIdle();
    });
  }

  /** Runs `step` on the next turn of the event loop, counted for idle(); failures are logged, never thrown at the caller. */
  private inBackground(step: () => Promise<void>): void {
    this.pendingSteps += 1;
    setImmediate(() => {
      step()
        .catch((error: unknown) => this.settings.log(`websub: could not work out the changed feeds: ${(error as Error).stack ?? String(error)}`, 'error'))
        .finally(() => {
          this.pendingSteps -= 1;
          this.settleIdle();
        });
    });
  }

  idle(): Promise<void> {
    return this.busy() ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private busy(): boolean {
    return this.running > 0 || this.queue.length > 0 || this.pendingSteps > 0;
  }

  /** Resolves the idle() promises once nothing is queued, in flight or pending. */
  private settleIdle(): void {
    if (this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.clearTimer();
    this.queue.length = 0;
    this.settleIdle();
  }
}
