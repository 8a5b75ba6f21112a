import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ChangedFeed } from '../model/feed-filter.js';
import { logToStderr } from '../model/log-line.js';
import { FEED_FORMATS, FORMATS } from '../render/render.js';
import type { Store } from '../store/store.js';

/**
 * What both publishers (publisher.ts in one process, outbox-publisher.ts
 * for a fleet) send and how they wait: the topic URLs of changed feeds, one
 * POST, the retry backoff, the embargo timer's delay, and one publish ping
 * with its retries.
 */

export type Log = (line: string, level?: 'info' | 'warn' | 'error') => void;
export type PingOutcome = 'accepted' | 'failed' | 'abandoned';

/** The retry settings both publishers take, every one optional. */
export interface RetryOptions {
  /** Attempts per URL (or delivery) before giving up; 1 means no retry. */
  readonly attempts?: number;
  /** Delay before the first retry; doubled for each further one. */
  readonly retryDelayMs?: number;
  /** Longest wait between attempts. */
  readonly maxRetryDelayMs?: number;
  /** Per-request time limit. */
  readonly timeoutMs?: number;
}

export type RetrySettings = Required<RetryOptions>;

/** What both publishers take besides their own settings: where to send, what to listen to, where to report. */
export interface PublisherOptions extends RetryOptions {
  /** The hub's publish endpoint (WEBSUB_HUB), pinged with every topic URL of the changed feeds; none: no pings (purges only). */
  readonly hub?: string;
  /**
   * Caches told the keys of the feeds each change (or embargo release)
   * touched (src/purge/: the webhook, Varnish servers, Fastly, Cloudflare),
   * each retried on its own.
   */
  readonly purge?: readonly PurgeTarget[];
  readonly store: Store;
  readonly clock?: () => Date;
  /** Outcomes are reported here; `level` defaults to info. */
  readonly log?: Log;
  /** Told of every ping attempt's outcome (metrics): accepted, failed (retried) or abandoned. */
  readonly onPing?: (outcome: PingOutcome) => void;
}

export interface PublisherSettings extends RetrySettings {
  readonly hub: string | undefined;
  readonly purge: readonly PurgeTarget[];
  readonly store: Store;
  readonly clock: () => Date;
  readonly log: Log;
  readonly onPing: (outcome: PingOutcome) => void;
}

/** Both publishers' settings with their defaults: no purge targets, the wall clock, stderr, no outcome listener. */
export function publisherSettingsOf(options: PublisherOptions): PublisherSettings {
  return {
    ...retrySettingsOf(options),
    hub: options.hub,
    purge: options.purge ?? [],
    store: options.store,
    clock: options.clock ?? (() => new Date()),
    log: options.log ?? logToStderr,
    onPing: options.onPing ?? (() => undefined),
  };
}

/** The retry settings with their defaults: 5 attempts, 1 s doubling to at most 5 min, 10 s per request. */
export function retrySettingsOf(options: RetryOptions): RetrySettings {
  return {
    attempts: options.attempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 1000,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 5 * 60_000,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The topic URLs (absolute feed URLs, every format) of the feeds that changed. */
export function urlsOf(baseUrl: string, feeds: readonly ChangedFeed[]): string[] {
  return feeds.flatMap((feed) => FEED_FORMATS.map((format) => `${baseUrl}${feed.path}/${FORMATS[format].fileName}`));
}

/** The wait after failed attempt number `attempt` (from 1): retryDelayMs, doubled per attempt, at most maxRetryDelayMs. */
export function backoffDelay(attempt: number, settings: Pick<RetrySettings, 'retryDelayMs' | 'maxRetryDelayMs'>): number {
  return Math.min(settings.maxRetryDelayMs, settings.retryDelayMs * 2 ** (attempt - 1));
}

/** setTimeout's limit; a later embargo is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer delay until `instant`: at least 1 ms, at most setTimeout's limit. */
export function delayUntil(instant: Date, now: Date): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, instant.getTime() - now.getTime()));
}

/** The body of a publish ping for one topic: `hub.mode=publish&hub.url=<topic>`, the form every hub accepts. */
export function publishForm(topic: string): string {
  return new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString();
}

export const FORM_TYPE = 'application/x-www-form-urlencoded';

export type PostResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string };

/** One POST with a time limit: accepted (2xx, with its status) or why not. Never throws. */
export function postOnce(url: string, body: string, contentType: string, timeoutMs: number): Promise<PostResult> {
  return sendOnce(url, { method: 'POST', headers: { 'content-type': contentType }, body }, timeoutMs);
}

/** A request as the purge targets send it: any method, their own headers (tokens included: never logged). */
export interface OutgoingRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * One request with a time limit: accepted (2xx, with its status) or why
 * not; the reason never repeats a header, so a token cannot reach a log.
 * Never throws. node:http rather than fetch: 40,000 pings through fetch
 * (each with an AbortSignal.timeout alive for its 10 s) took 8.2 s and grew
 * a process by 98 MB resident, through node:http 1.6 s and 19 MB — a
 * corpus load makes the fleet send that many (39,311 in issue 23's soak).
 * Redirects are not followed: a hub's publish endpoint answers directly.
 */
export function sendOnce(url: string, outgoing: OutgoingRequest, timeoutMs: number): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      resolve({ ok: false, reason: (error as Error).message });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = outgoing.body ?? '';
    const req = send(target, { method: outgoing.method, headers: { ...outgoing.headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const status = res.statusCode ?? 0;
      // Read the answer to its end so the connection can be kept alive for the next ping.
      res.resume();
      res.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, reason: `HTTP ${status}` }));
      res.on('error', (error) => done({ ok: false, reason: error.message }));
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const done = (result: PostResult): void => {
      clearTimeout(timer);
      resolve(result);
    };
    req.on('error', (error) => done({ ok: false, reason: error.message }));
    req.end(body);
  });
}

/**
 * A cache told which keys to drop (src/purge/ builds them: a webhook, each
 * Varnish server, Fastly, Cloudflare). Both publishers send to every one.
 */
export interface PurgeTarget {
  /** Names it in logs and in the outbox's list of targets done ("purge" for the webhook); never a secret. */
  readonly name: string;
  /** Drops the feeds' keys; resolves to why it failed, or undefined once every request was accepted. */
  purge(keys: readonly string[], feeds: readonly string[], timeoutMs: number): Promise<string | undefined>;
}

/**
 * Calls `attempt` until it succeeds (resolves undefined) or `attempts` run
 * out, waiting backoffDelay between tries; `onFailed` hears each failure
 * with the wait before the next try (undefined after the last). Resolves
 * to the last reason, or undefined when it got through.
 */
export async function retried(attempt: () => Promise<string | undefined>, settings: Pick<RetrySettings, 'attempts' | 'retryDelayMs' | 'maxRetryDelayMs'> & { readonly stopped: () => boolean }, onFailed: (reason: string, retryIn: number | undefined) => void): Promise<string | undefined> {
  let reason: string | undefined = 'stopped before the first attempt';
  for (let n = 1; n <= settings.attempts && !settings.stopped(); n++) {
    reason = await attempt();
    if (reason === undefined) return undefined;
    const retryIn = n < settings.attempts && !settings.stopped() ? backoffDelay(n, settings) : undefined;
    onFailed(reason, retryIn);
    if (retryIn !== undefined) await new Promise<void>((resolve) => setTimeout(resolve, retryIn).unref());
  }
  return reason;
}

export interface PingOptions extends RetrySettings {
  /** True once the publisher stops: no further attempt. */
  readonly stopped: () => boolean;
  readonly log: Log;
  readonly onPing: (outcome: PingOutcome) => void;
}

/**
 * One publish ping for one topic URL, retried with exponential backoff
 * (retryDelayMs, doubled per attempt, at most maxRetryDelayMs) until the hub
 * accepts it (2xx) or `attempts` run out. Every outcome is logged and counted.
 */
export async function pingHub(hub: string, url: string, options: PingOptions): Promise<void> {
  const { attempts, log, onPing } = options;
  let tries = 0;
  const send = async (): Promise<string | undefined> => {
    tries += 1;
    const result = await postOnce(hub, publishForm(url), FORM_TYPE, options.timeoutMs);
    if (!result.ok) return result.reason;
    onPing('accepted');
    log(`websub: hub ${hub} accepted publish of ${url} (${result.status}${tries > 1 ? `, attempt ${tries}` : ''})`);
    return undefined;
  };
  const reason = await retried(send, options, (why, retryIn) => {
    onPing('failed');
    if (retryIn !== undefined) log(`websub: publish of ${url} to ${hub} failed (${why}); retrying in ${retryIn} ms`, 'warn');
  });
  if (reason === undefined) return;
  onPing('abandoned');
  log(`websub: gave up publishing ${url} to ${hub} after ${attempts} attempt(s): ${reason}`, 'error');
}
