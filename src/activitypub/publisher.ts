import { createHash } from 'node:crypto';
import type { Activity, Federation } from '@fedify/fedify';
import { isVisible } from '../model/feed-query.js';
import type { ArticleSummary, Store } from '../store/store.js';
import { actorsOf } from './actors.js';
import { stampOf, storyUris } from './federation.js';
import type { ActivityPubState, ClaimedDelivery, DeliveryJob, Follower, LedgerChanges, LedgerEntry, Verb } from './state.js';
import { storyActivity } from './story-object.js';

export interface PublisherOptions {
  readonly store: Store;
  readonly state: ActivityPubState;
  readonly federation: Federation<void>;
  readonly clock: () => Date;
  readonly log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  /** First retry after this long, doubling per attempt up to an hour (default 60 s). */
  readonly retryBaseMs?: number;
  /** An inbox failing for this long is dropped with its followers (default 7 days). */
  readonly dropAfterMs?: number;
  /** How often due retries are looked for (default 5 s). */
  readonly pollMs?: number;
  /** How long a claimed delivery is held by one replica (default 60 s). */
  readonly leaseMs?: number;
}

export const DEFAULT_DROP_AFTER_MS = 7 * 24 * 3600 * 1000;
const MAX_RETRY_MS = 3600 * 1000;

/** Claimed at once, sent one after another (in queue order, so a Create reaches an inbox before its Update). */
const BATCH = 8;

export interface ActivityPubPublisher {
  /** Compares the stories with the ledger now and sends what is due; resolves when nothing is left to send now. */
  sync(): Promise<void>;
  stop(): void;
}

/**
 * Tells followers about stories. After every store change (each replica
 * hears every change) and at each embargo release, it compares the
 * visible stories with the ledger of what was announced (state.reconcile,
 * one process at a time): new ones become Create, edited ones Update, gone
 * ones (deleted, back to draft) Delete, one job per follower inbox. Drafts
 * and embargoed stories are not visible, so nothing goes out for them until
 * their release. Jobs are claimed and sent with retries and backoff; an
 * inbox failing for longer than `dropAfterMs` is dropped.
 */
export function startActivityPubPublisher(options: PublisherOptions): ActivityPubPublisher {
  const { store, state, federation, clock, log } = options;
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const dropAfterMs = options.dropAfterMs ?? DEFAULT_DROP_AFTER_MS;
  const leaseMs = options.leaseMs ?? 60_000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let releaseTimer: NodeJS.Timeout | undefined;

  const ctx = federation.createContext(new URL(store.site().baseUrl), undefined);

  const decide = async (ledger: ReadonlyMap<string, LedgerEntry> | undefined, followersOf: (actor: string) => Promise<readonly Follower[]>): Promise<LedgerChanges> => {
    const now = clock();
    const visible = (await store.summaries()).filter((summary) => isVisible(summary, now));
    const entries = new Map<string, LedgerEntry | undefined>();
    const jobs: DeliveryJob[] = [];
    // The first run (ActivityPub just turned on) records what is there without announcing years of stories.
    if (ledger === undefined) {
      for (const summary of visible) entries.set(summary.id, { fingerprint: fingerprintOf(summary), actors: [] });
      return { entries, jobs };
    }
    const queue = async (actor: string, verb: Verb, articleId: string, stamp: string) => {
      const inboxes = new Set((await followersOf(actor)).map((follower) => follower.inbox));
      for (const inbox of inboxes) jobs.push({ actor, inbox, verb, articleId, stamp });
    };
    const seen = new Set<string>();
    for (const summary of visible) {
      seen.add(summary.id);
      const before = ledger.get(summary.id);
      const fingerprint = fingerprintOf(summary);
      if (before?.fingerprint === fingerprint) continue;
      if (before !== undefined && before.actors.length === 0) {
        entries.set(summary.id, { fingerprint, actors: [] });
        continue;
      }
      const article = await store.article(summary.id);
      if (article === undefined) continue;
      const actors = actorsOf(article);
      const stamp = stampOf(article) + '-' + fingerprint.slice(0, 8);
      for (const actor of actors) await queue(actor, before?.actors.includes(actor) ? 'Update' : 'Create', article.id, stamp);
      for (const actor of before?.actors ?? []) if (!actors.includes(actor)) await queue(actor, 'Delete', article.id, `${stamp}-gone`);
      entries.set(summary.id, { fingerprint, actors });
    }
    for (const [id, before] of ledger) {
      if (seen.has(id)) continue;
      entries.set(id, undefined);
      for (const actor of before.actors) await queue(actor, 'Delete', id, `${now.toISOString()}-gone`);
    }
    return { entries, jobs };
  };

  const activityOf = async (job: ClaimedDelivery): Promise<Activity | undefined> => {
    const uris = storyUris(ctx, job.actor, job.articleId);
    if (job.verb === 'Delete') return storyActivity('Delete', undefined, store.site(), uris, job.stamp);
    const article = await store.article(job.articleId);
    // Gone or hidden again since it was queued: the Delete queued with that change says so.
    if (article === undefined || !isVisible(article, clock())) return undefined;
    return storyActivity(job.verb, article, store.site(), uris, job.stamp);
  };

  const send = async (job: ClaimedDelivery): Promise<void> => {
    const activity = await activityOf(job);
    try {
      // Fedify posts only to recipients with an id; a shared inbox stands for every follower behind it.
      if (activity !== undefined) await ctx.sendActivity({ identifier: job.actor }, { id: new URL(job.inbox), inboxId: new URL(job.inbox) }, activity, { immediate: true });
      await state.delivered(job.id, job.inbox);
    } catch (error) {
      const now = clock().getTime();
      const since = job.failingSince ?? now;
      if (now - since >= dropAfterMs) {
        log(`activitypub: dropping ${job.inbox}: failing since ${new Date(since).toISOString()} (${(error as Error).message})`, 'warn');
        await state.dropInbox(job.inbox);
        return;
      }
      const retryIn = Math.min(retryBaseMs * 2 ** (job.attempts - 1), MAX_RETRY_MS);
      log(`activitypub: ${job.verb} of ${job.articleId} to ${job.inbox} failed (${(error as Error).message}); retrying in ${retryIn} ms`, 'warn');
      await state.failed(job.id, now + retryIn, since);
    }
  };

  const drain = async (): Promise<void> => {
    while (!stopped) {
      const jobs = await state.claim(clock().getTime(), BATCH, leaseMs);
      if (jobs.length === 0) return;
      for (const job of jobs) await send(job);
    }
  };

  const scheduleRelease = async (): Promise<void> => {
    if (releaseTimer !== undefined) clearTimeout(releaseTimer);
    const release = await store.nextRelease(clock());
    if (release === undefined || stopped) return;
    releaseTimer = setTimeout(() => void sync(), Math.max(0, Math.min(release.getTime() - clock().getTime() + 1, 2 ** 31 - 1)));
    releaseTimer.unref();
  };

  const once = async (): Promise<void> => {
    await state.reconcile(decide);
    await drain();
    await scheduleRelease();
  };

  /** One run at a time; a trigger during a run makes one more run after it. */
  const sync = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once().catch((error: Error) => log(`activitypub: announcing stories failed: ${error.message}`, 'error'));
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };

  const unsubscribe = store.subscribe(() => void sync());
  const poll = setInterval(() => void (running ?? drain().catch((error: Error) => log(`activitypub: delivering failed: ${error.message}`, 'error'))), options.pollMs ?? 5000);
  poll.unref();
  void sync();
  return {
    sync,
    stop() {
      stopped = true;
      unsubscribe();
      clearInterval(poll);
      if (releaseTimer !== undefined) clearTimeout(releaseTimer);
    },
  };
}

/** What an edit followers hear of changes: the headline, the URL or the updated time. */
function fingerprintOf(summary: ArticleSummary): string {
  return createHash('sha256').update(`${summary.headline}\n${summary.url}\n${summary.updated.toISOString()}`).digest('hex').slice(0, 16);
}
