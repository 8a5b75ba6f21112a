import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
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
 * client's address is `req.ip` (clientAddress below), so X-Forwarded-For
 * counts only when "trust proxy" says the proxy is trusted, and only as a
 * valid IP address. Memory is bounded by `maxClients`:
 * a full bucket is the same as a forgotten one, and the least recently seen
 * client is forgotten first.
 */
export function createRateLimit(options: RateLimitOptions): RateLimit {
  const capacity = options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 100_000;
  const now = options.now ?? (() => Date.now());
  const buckets = new Map<string, Bucket>();
  // Each request is counted once, whether the fast path or Express asks first.
  const decided = new WeakMap<IncomingMessage, RateDecision>();

  const admit = (req: IncomingMessage, address: string | undefined): RateDecision => {
    const known = decided.get(req);
    if (known !== undefined) return known;
    const key = clientKey(address);
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
    const decision: RateDecision = allowed ? { allowed } : { allowed, retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    decided.set(req, decision);
    return decision;
  };

  const middleware: RequestHandler = (req, _res, next) => {
    const decision = admit(req, req.ip);
    if (decision.allowed) return next();
    next(
      new HttpError(
        429,
        `Too many requests: the limit is ${capacity} per minute per client. Try again in ${decision.retryAfter} s; feeds change rarely, so conditional requests (If-None-Match, If-Modified-Since) and a longer polling interval serve you better.`,
        { 'Retry-After': String(decision.retryAfter) },
      ),
    );
  };
  return { admit, middleware };
}

/** A limit's answer for one request: allowed, or refused with the seconds until a request would pass. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfter: number };

/** The rate limit: `admit` for the fast path in front of Express, `middleware` for Express; one count per request. */
export interface RateLimit {
  admit(req: IncomingMessage, address: string | undefined): RateDecision;
  readonly middleware: RequestHandler;
}

/**
 * The client's address, for the rate limit and the audit trail (guards.ts
 * makes it Express's `req.ip` too): the socket's address, then
 * X-Forwarded-For from the nearest hop outwards, skipping every address
 * `trust` (Express's compiled "trust proxy") trusts. An entry that is not an
 * IP address (markup, 8 KB of junk, a port) ends the walk at the hop that
 * passed it on: a client can put anything in the header, and a trusted
 * proxy only ever appends addresses.
 */
export function clientAddress(req: IncomingMessage, trust: (address: string, hop: number) => boolean): string | undefined {
  const header = req.headers['x-forwarded-for'];
  // The common case, no proxy header: the socket's address, without the five arrays the walk below makes
  // (asked per request by the rate limit and by readership counting: 7 % of a cached 304's rate).
  if (header === undefined) return req.socket.remoteAddress ?? '';
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((part) => part.trim()).filter((part) => part !== '').reverse();
  const addresses = [req.socket.remoteAddress ?? '', ...forwarded];
  for (let hop = 0; hop < addresses.length - 1; hop++) {
    if (!trust(addresses[hop] as string, hop) || isIP(addresses[hop + 1] as string) === 0) return addresses[hop];
  }
  return addresses[addresses.length - 1];
}
