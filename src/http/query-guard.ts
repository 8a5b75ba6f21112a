import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

/**
 * The query parameters each document outside the feeds accepts: none. Feeds
 * answer 400 for a parameter they do not know (query/resolve-feed.ts), so a
 * misspelt `limt=5` is seen rather than silently giving the default; these
 * answered 200 whatever the query said (`/news-sitemap.xml?limit=abc`).
 * A route that learns a parameter lists it here.
 */
export const ROUTE_QUERY_PARAMETERS = {
  '/news-sitemap.xml': [],
  '/robots.txt': [],
  '/articles/:file': [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** Middleware for `route`: 400 naming the first query parameter the route does not accept. */
export function guardQuery(route: keyof typeof ROUTE_QUERY_PARAMETERS): RequestHandler {
  const accepted: readonly string[] = ROUTE_QUERY_PARAMETERS[route];
  const says = accepted.length === 0 ? 'this URL takes no query parameters' : `this URL accepts ${accepted.map((name) => JSON.stringify(name)).join(', ')}`;
  return (req, _res, next) => {
    const unknown = Object.keys(req.query as Record<string, unknown>).find((name) => !accepted.includes(name));
    if (unknown !== undefined) return next(new HttpError(400, `unknown query parameter ${JSON.stringify(unknown.slice(0, 40))}; ${says}`));
    next();
  };
}
