import { isNotModified, strongEtag } from '../reply.js';
import type { Request, Response } from 'express';
import type { SafeHtml } from './html.js';

/**
 * Content-Security-Policy of every page: nothing but same-origin CSS and
 * script (no inline code at all), images from anywhere (lead images live on
 * the newsroom's media host), no forms, no <base>, and no framing.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src https: http: data:; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The embed frame: no script at all, and any site may frame it (that is its purpose). */
export const EMBED_CSP = "default-src 'none'; style-src 'self'; img-src https: http: data:; script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors *";

export interface SendOptions {
  /** The /embed frame: framing allowed. */
  readonly frameable?: boolean;
  /** Seconds caches may keep the page (short: embargoes lift and data reloads). */
  readonly maxAge?: number;
}

/** True when the request's If-None-Match matches this ETag: the feeds' conditional GET (reply.ts), pages having no Last-Modified. */
export function isFresh(req: Request, etag: string): boolean {
  return isNotModified({ ifNoneMatch: req.headers['if-none-match'] }, { etag });
}

/** Sends an HTML page with the security headers, a validator and 304 for a fresh conditional GET. */
export function sendPage(req: Request, res: Response, status: number, page: SafeHtml, options: SendOptions = {}): void {
  const body = Buffer.from(page.markup, 'utf8');
  const etag = strongEtag(body);
  res.setHeader('Content-Security-Policy', options.frameable ? EMBED_CSP : PAGE_CSP);
  // Every response is DENY by default (guards.ts); the embed frame is meant to be framed anywhere.
  if (options.frameable) res.removeHeader('X-Frame-Options');
  else res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', `public, max-age=${options.maxAge ?? 60}`);
  if (status === 200) {
    res.setHeader('ETag', etag);
    if (isFresh(req, etag)) {
      res.status(304).end();
      return;
    }
  }
  res.status(status).type('text/html; charset=utf-8').send(body);
}
