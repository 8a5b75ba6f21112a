import type { RequestHandler } from 'express';

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
