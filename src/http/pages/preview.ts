import type { TranslationLink } from '../../model/translations.js';
import type { Article, Site } from '../../model/types.js';
import type { FeedView } from '../../query/resolve-feed.js';
import { alternatesOf, feedLabel, feedName, GROUPS, mountPath, previewPath, renderFeedLinks } from './feed-links.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { renderStory } from './story.js';

const KIND_HEADING = { section: 'Section', tag: 'Tag', language: 'Language', author: 'Stories by' } as const;

/**
 * The page for people at a filtered feed's folder URL (/sections/korea/):
 * what the feed is, its three formats, and its items as readable stories.
 * Each feed document links here with <link rel="alternate" type="text/html">.
 */
export function renderPreviewPage(
  site: Site,
  view: FeedView,
  asset: (name: string) => string,
  translations: (article: Article) => readonly TranslationLink[] = () => [],
): SafeHtml {
  const feed = view.descriptor;
  const kind = feed.filter?.kind;
  const heading = kind === undefined ? html`${site.title}` : kind === 'author' ? html`${KIND_HEADING.author} ${feedName(feed, site)}` : html`${KIND_HEADING[kind]}: ${feedName(feed, site)}`;
  const group = GROUPS.find((g) => g.kind === kind);
  const root = mountPath(site);
  const body = html`<nav aria-label="Breadcrumb" class="breadcrumb"><ol><li><a href="${`${root}/`}">All feeds</a></li>${group ? html`<li><a href="${`${root}/#feeds-${group.kind}`}">${group.title}</a></li>` : ''}<li><a href="${`${root}${previewPath(feed)}`}" aria-current="page"><bdi>${feedLabel(feed, site)}</bdi></a></li></ol></nav>
<h1>${heading}</h1>
<div class="feed-card">
<p>${group ? group.intro.replace(/^Every story/, 'This feed carries every story') : 'Every story we publish.'} Subscribe in a feed reader:</p>
<p>${renderFeedLinks(feed, feedLabel(feed, site), site)}</p>
</div>
${
  view.articles.length === 0
    ? html`<p>No stories in this feed yet.</p>`
    : html`<ol class="stories" aria-label="Stories">
${view.articles.map((article) => html`<li>${renderStory(article, site, { headingLevel: 2, linkFilters: true, translations: translations(article) })}</li>\n`)}</ol>`
}`;
  return renderPage({
    site,
    title: view.title,
    description: view.description,
    path: previewPath(feed),
    alternates: alternatesOf(feed, view.title, site),
    asset,
    withCopyScript: true,
    main: body,
  });
}

/** A 404 page for people: an unknown feed, with the way back to the list. */
export function renderNotFoundPage(site: Site, message: string, asset: (name: string) => string): SafeHtml {
  return renderPage({
    site,
    title: `Not found — ${site.title}`,
    asset,
    main: html`<h1>Feed not found</h1>
<p>${message}</p>
<p>Every feed we serve is listed on the <a href="${`${mountPath(site)}/`}">home page</a> and in the <a href="${`${mountPath(site)}/feeds.opml`}">OPML list</a>.</p>`,
  });
}
