import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ChangedFeed } from '../model/feed-filter.js';
import { FEED_FORMATS, FORMATS } from '../render/render.js';

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

/**
 * One POST with a time limit: accepted (2xx, with its status) or why not.
 * Never throws. node:http rather than fetch: 40,000 pings through fetch
 * (each with an AbortSignal.timeout alive for its 10 s) took 8.2 s and grew
 * a process by 98 MB resident, through node:http 1.6 s and 19 MB — a
 * corpus load makes the fleet send that many (39,311 in issue 23's soak).
 * Redirects are not followed: a hub's publish endpoint answers directly.
 */
export function postOnce(url: string, body: string, contentType: string, timeoutMs: number): Promise<PostResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      resolve({ ok: false, reason: (error as Error).message });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
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
  let reason = '';
  for (let attempt = 1; attempt <= attempts && !options.stopped(); attempt++) {
    const result = await postOnce(hub, publishForm(url), FORM_TYPE, options.timeoutMs);
    if (result.ok) {
      onPing('accepted');
      log(`websub: hub ${hub} accepted publish of ${url} (${result.status}${attempt > 1 ? `, attempt ${attempt}` : ''})`);
      return;
    }
    reason = result.reason;
    onPing('failed');
    if (attempt < attempts && !options.stopped()) {
      const delay = backoffDelay(attempt, options);
      log(`websub: publish of ${url} to ${hub} failed (${reason}); retrying in ${delay} ms`, 'warn');
      await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
    }
  }
  onPing('abandoned');
  log(`websub: gave up publishing ${url} to ${hub} after ${attempts} attempt(s): ${reason}`, 'error');
}
