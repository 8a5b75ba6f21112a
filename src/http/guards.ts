import express, { type RequestHandler, Router } from 'express';
import type { TrustProxy } from '../config/config.js';
import { HttpError, sendError } from './errors.js';
import { clientAddress, createRateLimit, type RateLimit } from './rate-limit.js';
import type { Store } from '../store/store.js';

/**
 * Longest URL (path and query) accepted; longer is 414. Every URL this
 * server offers is far shorter (the longest: a filtered feed with limit and
 * since, under 300 characters); 2048 is what browsers and CDNs reliably
 * carry, so nothing legitimate is refused.
 */
export const MAX_URL_LENGTH = 2048;

/** Feeds, JSON and text are data: a browser showing them may load and run nothing. HTML pages set their own policy. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

export interface GuardOptions {
  /** Requests per minute per client; 0 or absent = no rate limit. */
  readonly rateLimit?: number;
  /** Express "trust proxy": whose X-Forwarded-For to believe when telling clients apart. */
  readonly trustProxy?: TrustProxy;
  readonly maxUrlLength?: number;
  /** Milliseconds, for the rate limit; tests pass their own. */
  readonly now?: () => number;
}

/**
 * Security headers on every response. The Content-Security-Policy is the
 * data policy (a browser showing a feed may load and run nothing); the HTML
 * pages set their own policy when they answer (pages/respond.ts). Set
 * up front, not when the headers go out, so a response's headers are
 * complete before it is written (the fast path replays them).
 */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Content-Security-Policy', DATA_CSP);
    next();
  };
}

/**
 * Refuses URLs no route could mean, before any route sees them: too long
 * (414), malformed percent-encoding (400, where Express would throw), and
 * paths that decode to control characters (an encoded NUL) or to "." or
 * ".." segments (path traversal). No route reads files at request time, so
 * this is defence in depth, and clearer answers than a 404.
 */
export function rejectHostileUrls(maxUrlLength = MAX_URL_LENGTH): RequestHandler {
  return (req, _res, next) => {
    const url = req.originalUrl;
    if (url.length > maxUrlLength) return next(new HttpError(414, `URL too long: ${url.length} characters; the limit is ${maxUrlLength}`));
    const path = url.split('?')[0] ?? '';
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return next(new HttpError(400, 'malformed percent-encoding in the URL path'));
    }
    if (/[\u0000-\u001F\u007F]/.test(decoded)) return next(new HttpError(400, 'control characters (such as an encoded NUL) are not allowed in the URL path'));
    if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) return next(new HttpError(400, '"." and ".." segments are not allowed in the URL path'));
    next();
  };
}

/**
 * Mounted after every route: a method no route answered is 405 with Allow
 * (OPTIONS is answered 204 with Allow), instead of a misleading 404. A
 * router that accepts other methods on its own paths (an ingest API) is
 * mounted before this and is not affected.
 */
export function refuseOtherMethods(): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.setHeader('Allow', 'GET, HEAD, OPTIONS');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new HttpError(405, `method ${req.method.slice(0, 20)} is not allowed here; feeds are read with GET or HEAD`));
  };
}

/**
 * Mounts, in order: trust proxy, security headers, URL checks, the rate
 * limit (when configured). /healthz is not rate limited. Returns the limit,
 * which the fast path in front of Express also applies (fast-path.ts).
 */
export function installGuards(app: express.Express, options: GuardOptions = {}): RateLimit | undefined {
  app.set('trust proxy', options.trustProxy ?? false);
  // req.ip for this app's requests (the audit trail, the rate limit): Express would take whatever text the
  // leftmost X-Forwarded-For entry holds; clientAddress takes only valid IP addresses. On this app's own
  // request prototype, so another app in the process keeps Express's.
  Object.defineProperty(app.request, 'ip', {
    configurable: true,
    enumerable: true,
    get(this: express.Request) {
      return clientAddress(this, this.app.get('trust proxy fn') as (address: string, hop: number) => boolean);
    },
  });
  app.use(securityHeaders());
  app.use(rejectHostileUrls(options.maxUrlLength));
  if (options.rateLimit === undefined || options.rateLimit <= 0) return undefined;
  const limit = createRateLimit({ perMinute: options.rateLimit, ...(options.now === undefined ? {} : { now: options.now }) });
  app.use((req, res, next) => (req.path === '/healthz' ? next() : limit.middleware(req, res, next)));
  return limit;
}

/** Methods anyone may use cross-origin on our public resources: reading only. */
export const CORS_METHODS = 'GET, HEAD, OPTIONS';
/** Request headers a cross-origin reader may send: conditional GET and content negotiation. */
export const CORS_ALLOWED_HEADERS = 'Accept, Accept-Language, Cache-Control, If-Modified-Since, If-None-Match';
/** Response headers a cross-origin reader may see beyond the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = 'ETag, Last-Modified, Link, Retry-After';
/** How long browsers may reuse a preflight answer (a day). */
export const CORS_MAX_AGE = 86_400;

/**
 * The resources any web page may read: the feeds in every format (public
 * and credential-free, so `*` is safe), the OPML list, and the widget's
 * script and stylesheet. Pages for people and the API are not included.
 */
export function isPublicResource(path: string): boolean {
  return /\/(?:feed\.json|rss\.xml|atom\.xml)$/.test(path) || path === '/feeds.opml' || path === '/embed.js' || path.startsWith('/assets/');
}

/**
 * CORS for public, read-only resources: `Access-Control-Allow-Origin: *` on
 * GET and HEAD, and an OPTIONS preflight answered here with 204 and the
 * allowed methods, headers and max-age. Never with credentials: a `*`
 * origin forbids them, and nothing we serve depends on cookies.
 */
export function cors(isPublic: (path: string) => boolean = isPublicResource): RequestHandler {
  return (req, res, next) => {
    if (!isPublic(req.path)) return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method !== 'OPTIONS') {
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
      return next();
    }
    res.setHeader('Allow', CORS_METHODS);
    if (req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE));
    }
    res.status(204).end();
  };
}

/** Seconds a client is told to wait while the store loads: a restart takes about a second, a first start a few. */
export const NOT_READY_RETRY_AFTER = 1;

/** Whether the store can answer reads with all of its data (a store without `ready` always can). */
export function storeReady(store: Store): boolean {
  return store.ready?.() ?? true;
}

/**
 * The readiness probe and the not-ready guard. `/readyz` answers 503 until
 * the store's first snapshot is complete, then 200: a load balancer or
 * Kubernetes sends traffic only then (docs/operations-probes.md). Until
 * then every other request but the liveness probe `/healthz` is answered
 * 503 with Retry-After and a short message, never from half the data.
 * While `preparing` (the app filling its cache with the main feed,
 * feed-preparation.ts), /readyz still answers 503, so a load balancer sends
 * the first reader only once that reader's answer is cached; a request that
 * comes anyway is served.
 */
export function createReadiness(store: Store, preparing: () => boolean = () => false): Router {
  const router = Router();
  router.get('/readyz', (_req, res) => {
    const ready = storeReady(store) && !preparing();
    res.setHeader('Cache-Control', 'no-store');
    if (!ready) res.setHeader('Retry-After', String(NOT_READY_RETRY_AFTER));
    res.status(ready ? 200 : 503).json({ ready, backend: store.backend });
  });
  router.use((req, res, next) => {
    if (storeReady(store) || req.path === '/healthz') return next();
    res.setHeader('Retry-After', String(NOT_READY_RETRY_AFTER));
    res.setHeader('Cache-Control', 'no-store');
    // Problem details under /api, one line of text elsewhere, as every refusal (errors.ts).
    sendError(req, res, 503, 'Starting up: the articles are still loading; try again in a moment.');
  });
  return router;
}
