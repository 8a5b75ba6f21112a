import type { TranslationLink } from '../../model/translations.js';
import type { Article, Site } from '../../model/types.js';
import type { FeedDescriptor } from '../../model/feed-filter.js';
import { alternatesOf, feedLabel, feedName, GROUPS, mountPath, previewPath, renderFeedLinks } from './feed-links.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { renderStory } from './story.js';

/** Stories shown under "Latest stories" on the home page; the main feed itself carries `feedSize`. */
export const HOME_LATEST = 20;

export interface HomeInput {
  readonly site: Site;
  /** Every feed, from listFeeds on the visible articles: the main feed first. */
  readonly feeds: readonly FeedDescriptor[];
  /** The main feed's newest items. */
  readonly latest: readonly Article[];
  /** The translations each story links to; none when absent. */
  readonly translations?: (article: Article) => readonly TranslationLink[];
  readonly asset: (name: string) => string;
}

/**
 * The home page, which is also the main feed's page for people: what a
 * feed is and how to subscribe, the main feed, every filtered feed grouped
 * by kind, the latest stories, and how partners embed headlines.
 */
export function renderHomePage(input: HomeInput): SafeHtml {
  const { site, feeds } = input;
  const main = feeds.find((f) => f.filter === undefined) ?? { name: 'All stories', path: '' };
  const groups = GROUPS.map((group) => ({ ...group, feeds: feeds.filter((f) => f.filter?.kind === group.kind) })).filter((g) => g.feeds.length > 0);
  const exampleFeed = feeds.find((f) => f.filter?.kind === 'section') ?? main;
  const exampleJson = `${exampleFeed.path}/feed.json`;
  const root = mountPath(site);
  const body = html`<h1>${site.title} feeds</h1>
${site.description ? html`<p class="lede">${site.description}</p>\n` : ''}
<section aria-labelledby="about-feeds" class="about">
<h2 id="about-feeds">What is a feed?</h2>
<p>A feed is a list of our newest stories that a <em>feed reader</em> app checks for you, so new stories come to you without visiting the site. Every feed below comes in three formats with the same stories: <strong>RSS</strong> and <strong>Atom</strong> work in almost every reader; <strong>JSON Feed</strong> is for newer readers and developers.</p>
<p>To subscribe, copy a feed's address (the <em>Copy feed URL</em> button, or right-click a format link and copy the link) and paste it into your reader's "add feed" or "subscribe" box. Many readers also find our feeds when you give them this page's address. To take every feed at once, import our <a href="${`${root}/feeds.opml`}">OPML list of feeds</a>.</p>
</section>

<section aria-labelledby="feeds" class="feeds-directory">
<h2 id="feeds">All feeds</h2>
<div class="feed-card main-feed">
<h3>All stories</h3>
<p>Every story we publish, newest first. <a href="#latest">See the latest stories</a>.</p>
<p>${renderFeedLinks(main, site.title, site)}</p>
</div>
${groups.map(
  (group) => html`<h3 id="${`feeds-${group.kind}`}">${group.title}</h3>
<p class="group-intro">${group.intro}</p>
<ul class="feed-list" aria-labelledby="${`feeds-${group.kind}`}">
${group.feeds.map((feed) => html`<li><a class="feed-name" href="${`${root}${previewPath(feed)}`}">${feedName(feed, site)}</a> ${renderFeedLinks(feed, feedLabel(feed, site), site)}</li>\n`)}</ul>
`,
)}</section>

<section aria-labelledby="latest" class="latest">
<h2 id="latest">Latest stories</h2>
${
  input.latest.length === 0
    ? html`<p>No stories are published yet.</p>`
    : html`<p>The ${input.latest.length} newest stories in the main feed.</p>
<ol class="stories">
${input.latest.map((article) => html`<li>${renderStory(article, site, { headingLevel: 3, linkFilters: true, translations: input.translations?.(article) ?? [] })}</li>\n`)}</ol>`
}
</section>

<section aria-labelledby="embed" class="embed-help">
<h2 id="embed">Headlines on your site</h2>
<p>Partners can show our latest headlines with one line of HTML. The widget loads only from this server, sets no cookies and tracks nobody:</p>
<pre><code>${`<script src="${site.baseUrl}/embed.js" data-feed="${exampleJson}" data-limit="5" async></script>`}</code></pre>
<p>Where third-party scripts are not allowed, use a frame:</p>
<pre><code>${`<iframe src="${site.baseUrl}/embed?feed=${encodeURIComponent(exampleJson)}&limit=5" title="Headlines from ${site.title}" width="400" height="600"></iframe>`}</code></pre>
</section>

<section aria-labelledby="partners" class="partners">
<h2 id="partners">For search engines and content partners</h2>
<ul>
<li><a href="${`${root}/news-sitemap.xml`}">Google News sitemap</a>: stories of the last two days (also named in <a href="${`${root}/robots.txt`}">robots.txt</a>).</li>
<li><a href="${`${root}/ninjs.json`}">IPTC ninjs</a> (News in JSON 3.1) for editorial systems: every feed above also comes as <code>ninjs.json</code>, and each story at <code>/articles/{id}.ninjs.json</code>.</li>
</ul>
</section>`;
  return renderPage({
    site,
    title: `${site.title}: news feeds`,
    description: `RSS, Atom and JSON feeds of ${site.title}, per section, language, author and tag.`,
    path: '/',
    alternates: alternatesOf(main, site.title, site),
    asset: input.asset,
    withCopyScript: true,
    main: body,
  });
}
