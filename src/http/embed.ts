import express, { type Request, type Response } from 'express';
import { formatCreditLine } from '../map/to-feed-model.js';
import type { Article, Site } from '../model/types.js';
import { KIND_FOLDER, type FeedDescriptor } from '../model/feed-filter.js';
import { viewOfPage } from '../query/resolve-feed.js';
import type { Store } from '../store/store.js';
import { html, safeUrl, type SafeHtml } from './pages/html.js';
import { mountPath } from './pages/feed-links.js';
import { formatReaderDate, textDirection } from './pages/locale.js';
import { sendPage } from './pages/respond.js';

export const EMBED_MAX_LIMIT = 20;
export const EMBED_DEFAULT_LIMIT = 5;
const EMBED_PARAMS = new Set(['feed', 'limit']);
const FEED_FILE = /^(?:\/([a-z]+)\/([^/]+))?\/(?:feed\.json|rss\.xml|atom\.xml)$/;

/** A refused /embed request: 400 with a message the partner can act on. */
export class EmbedRequestError extends Error {
  override readonly name = 'EmbedRequestError';
}

/**
 * Finds the feed an /embed `feed` parameter names: one of our feed
 * documents ("/sections/korea/feed.json", "/feed.json"; the slug raw or
 * percent-encoded). Under a mount ("/feeds") the path may also carry it
 * ("/feeds/feed.json"), as the address bar shows it. Anything else —
 * another site's URL, a path we do not serve, a feed with no visible story —
 * is refused.
 */
export function resolveEmbedFeed(feeds: readonly FeedDescriptor[], feedParam: string, mount = ''): FeedDescriptor {
  const unmounted = mount !== '' && feedParam.startsWith(`${mount}/`) && !FEED_FILE.test(feedParam) ? feedParam.slice(mount.length) : feedParam;
  const match = unmounted.length <= 300 ? FEED_FILE.exec(unmounted) : null;
  if (!match) throw new EmbedRequestError(`"feed" must be the path of one of our feeds, such as /feed.json or /sections/korea/feed.json; got ${JSON.stringify(feedParam.slice(0, 80))}`);
  const [, folder, rawSlug] = match;
  if (folder === undefined) return feeds.find((f) => f.filter === undefined) ?? { name: 'All stories', path: '' };
  let slug: string;
  try {
    slug = decodeURIComponent(rawSlug ?? '').normalize('NFKC').toLowerCase();
  } catch {
    throw new EmbedRequestError(`"feed" has a broken percent-encoding: ${JSON.stringify(feedParam.slice(0, 80))}`);
  }
  const found = feeds.find((f) => f.filter !== undefined && KIND_FOLDER[f.filter.kind] === folder && f.filter.slug === slug);
  if (!found) throw new EmbedRequestError(`we serve no feed at ${JSON.stringify(feedParam.slice(0, 80))}; the list of feeds is at /feeds.opml`);
  return found;
}

/** Reads `limit` for the embed: 1..20, default 5. */
export function parseEmbedLimit(value: unknown): number {
  if (value === undefined) return EMBED_DEFAULT_LIMIT;
  if (typeof value !== 'string' || !/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > EMBED_MAX_LIMIT) {
    throw new EmbedRequestError(`"limit" must be a whole number from 1 to ${EMBED_MAX_LIMIT}, got ${JSON.stringify(String(value).slice(0, 20))}`);
  }
  return Number(value);
}

/** One headline in the frame; the same markup and class names embed.js builds, so embed.css styles both. */
function renderEmbedItem(article: Article): SafeHtml {
  const url = safeUrl(article.url);
  const lead = article.images[0];
  const thumb = safeUrl(lead?.thumbnail ?? lead?.url);
  const date = formatReaderDate(article.published, article.language, article.timezone, 'date');
  const credit = formatCreditLine(article.credits, article.language);
  return html`<li class="wf-item" lang="${article.language}" dir="${textDirection(article.language)}">${thumb ? html`<img class="wf-thumb" src="${thumb}" alt="${lead?.alt ?? ''}" loading="lazy" decoding="async">` : ''}<div class="wf-text"><a class="wf-title" href="${url}" target="_blank" rel="noopener">${article.headline}</a><p class="wf-meta"><time datetime="${date.iso}">${date.text}</time></p>${credit ? html`<p class="wf-credit" lang="en" dir="ltr">${credit}</p>` : ''}</div></li>`;
}

/**
 * The frame's document. A frame is a page of its own to a screen reader:
 * it gets a main landmark and a level-one heading (the document title,
 * visually hidden: the visible heading is the list's own h2, as in embed.js).
 */
function renderEmbedDocument(site: Site, title: string, inner: SafeHtml, asset: (name: string) => string): SafeHtml {
  return html`<!doctype html>
<html lang="${site.language}" dir="${textDirection(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${title}</title>
<link rel="stylesheet" href="${asset('embed.css')}">
</head>
<body class="wf-frame">
<main>
<h1 class="wf-visually-hidden">${title}</h1>
${inner}
</main>
</body>
</html>
`;
}

export interface EmbedDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly asset: (name: string) => string;
}

/**
 * GET /embed?feed=/sections/korea/feed.json&limit=5: the headline list,
 * server-rendered for partners whose policy forbids third-party scripts.
 * No script at all; links open in a new tab; framing allowed from anywhere.
 */
export function createEmbedRouter(deps: EmbedDeps): express.Router {
  const router = express.Router();
  router.get('/embed', async (req: Request, res: Response) => {
    const site = deps.store.site();
    const now = deps.clock();
    const query = req.query as Record<string, unknown>;
    try {
      const unknown = Object.keys(query).find((k) => !EMBED_PARAMS.has(k));
      if (unknown !== undefined) throw new EmbedRequestError(`unknown query parameter ${JSON.stringify(unknown.slice(0, 40))}; /embed takes "feed" and "limit"`);
      if (typeof query.feed !== 'string') throw new EmbedRequestError('"feed" is required once, e.g. /embed?feed=/feed.json&limit=5');
      const limit = parseEmbedLimit(query.limit);
      const feed = resolveEmbedFeed((await deps.store.directory(now)).feeds, query.feed, mountPath(site));
      const page = await deps.store.feedPage(feed.filter, { limit }, now);
      const view = page && viewOfPage(site, feed.filter, page);
      if (!view) throw new EmbedRequestError(`we serve no feed at ${JSON.stringify(query.feed.slice(0, 80))}`);
      const inner = html`<section class="wf" aria-labelledby="wf-heading">
<h2 class="wf-heading" id="wf-heading"><a href="${`${mountPath(site)}${feed.path}/`}" target="_blank" rel="noopener">${view.title}</a></h2>
<ol class="wf-list">${view.articles.map(renderEmbedItem)}</ol>
</section>`;
      sendPage(req, res, 200, renderEmbedDocument(site, `Headlines: ${view.title}`, inner, deps.asset), { frameable: true });
    } catch (error) {
      if (!(error instanceof EmbedRequestError)) throw error;
      sendPage(req, res, 400, renderEmbedDocument(site, 'Headlines unavailable', html`<p class="wf-error">Bad embed request: ${error.message}.</p>`, deps.asset), { frameable: true });
    }
  });
  return router;
}
