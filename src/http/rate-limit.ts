import { isIPv4, isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export interface RateLimitOptions {
  /** Requests per minute per client; also the burst a quiet client may spend at once. */
  readonly perMinute: number;
  /** Clients remembered at once; the least recently seen is forgotten first (bounded memory). */
  readonly maxClients?: number;
  /** Milliseconds; tests pass their own clock. */
  readonly now?: () => number;
}

/**
 * Whom a request is counted against: an IPv4 address, or the /64 prefix of
 * an IPv6 address (one subscriber usually holds a whole /64, so counting
 * single IPv6 addresses would let one client rotate through 2^64 of them).
 * IPv4-mapped IPv6 (::ffff:192.0.2.1) counts as the IPv4 address.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.split('%')[0]!.toLowerCase();
  // A trailing dotted IPv4 part stands for the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16).toString(16));
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A per-client token bucket: each client may make `perMinute` requests at
 * once and then one every 60/perMinute seconds. Over the limit the answer
 * is 429 with Retry-After (whole seconds until a request would pass). The
 * client's address is `req.ip`, so X-Forwarded-For counts only when Express's
 * "trust proxy" says the proxy is trusted. Memory is bounded by `maxClients`:
 * a full bucket is the same as a forgotten one, and the least recently seen
 * client is forgotten first.
 */
export function createRateLimit(options: RateLimitOptions): RequestHandler {
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 100_000;
  const now = options.now ?? (() => Date.now());
  const buckets = new Map<string, Bucket>();

  return (req, res, next) => {
    const key = clientKey(req.ip);
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: capacity, at: t };
    buckets.delete(key);
    bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    // Re-inserted so the Map's order is least recently seen first.
    buckets.set(key, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value as string);
    if (allowed) return next();
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    // Through the error handler, which answers in the path's own form (JSON under /api, text elsewhere).
    next(
      new HttpError(
        429,
        `Too many requests: the limit is ${capacity} per minute per client. Try again in ${retryAfter} s; feeds change rarely, so conditional requests (If-None-Match, If-Modified-Since) and a longer polling interval serve you better.`,
        { 'Retry-After': String(retryAfter) },
      ),
    );
  };
}
