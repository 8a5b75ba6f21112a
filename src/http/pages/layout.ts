import type { Site } from '../../model/types.js';
import { html, safeUrl, type SafeHtml } from './html.js';
import { mountPath } from './feed-links.js';
import { textDirection } from './locale.js';

/** A link to one of our feeds for <head>, so browsers and readers discover it. */
export interface AlternateLink {
  readonly type: 'application/rss+xml' | 'application/atom+xml' | 'application/feed+json';
  readonly title: string;
  readonly href: string;
}

export interface PageInput {
  readonly site: Site;
  /** The document title. */
  readonly title: string;
  readonly description?: string;
  readonly alternates?: readonly AlternateLink[];
  /** Path of the page, for the canonical link ("/sections/korea/"). */
  readonly path?: string;
  /** Versioned URL of a static asset: "/assets/site.css?v=…". */
  readonly asset: (name: string) => string;
  /** Load the copy button's script (pages that show feed URLs). */
  readonly withCopyScript?: boolean;
  readonly main: SafeHtml;
}

/**
 * The frame every page shares: landmarks (header with the site name and a
 * nav, main, footer), a skip link, the same-origin stylesheet and, where
 * needed, the one same-origin script — no inline script or style, so the
 * Content-Security-Policy can forbid both.
 */
export function renderPage(input: PageInput): SafeHtml {
  const { site } = input;
  const canonical = input.path === undefined ? undefined : `${site.baseUrl}${input.path}`;
  const root = mountPath(site);
  return html`<!doctype html>
<html lang="${site.language}" dir="${textDirection(site.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
${input.description ? html`<meta name="description" content="${input.description}">\n` : ''}<meta name="referrer" content="strict-origin-when-cross-origin">
<link rel="stylesheet" href="${input.asset('site.css')}">
${canonical ? html`<link rel="canonical" href="${canonical}">\n` : ''}${(input.alternates ?? []).map((a) => html`<link rel="alternate" type="${a.type}" title="${a.title}" href="${a.href}">\n`)}${input.withCopyScript ? html`<script src="${input.asset('copy.js')}" defer></script>\n` : ''}</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="wrap">
<p class="site-name"><a href="${`${root}/`}">${site.title}</a> <span class="site-kind">feeds</span></p>
<nav aria-label="Site">
<ul>
<li><a href="${`${root}/#feeds`}">All feeds</a></li>
<li><a href="${`${root}/#latest`}">Latest stories</a></li>
<li><a href="${`${root}/feeds.opml`}">OPML</a></li>
<li><a href="${`${root}/#embed`}">Embed</a></li>
${safeUrl(site.link) ? html`<li><a href="${safeUrl(site.link)}">${site.title} website</a></li>\n` : ''}</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
<div class="wrap">
${input.main}
</div>
</main>
<footer class="site-footer">
<div class="wrap">
${site.copyright ? html`<p>${site.copyright}</p>\n` : ''}<p>Served by wirefeed: RSS 2.0, Atom 1.0 and JSON Feed 1.1. No cookies, no tracking.</p>
</div>
</footer>
</body>
</html>
`;
}
