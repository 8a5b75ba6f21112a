import type { Cursor } from '../model/cursor.js';
import { FEED_FILE_NAMES, type Article } from '../model/types.js';
import { FeedRequestError } from '../query/errors.js';
import { earliest, feedLinks, feedQueryString, viewOfPage, type FeedDocumentLinks, type FeedRequest, type ResolvedFeed } from '../query/resolve-feed.js';
import type { Store, TranslationsAt } from '../store/store.js';
import type { Partner } from './partner.js';
import { inScope, unscoped } from './partner-scope.js';
import { scopedPage } from './scoped-page.js';
import type { ArticleTransform } from './syndicated-article.js';

/** URL path of a partner's feeds: /partners/daily-herald. */
export function partnerPrefix(partner: Pick<Partner, 'id'>): string {
  return `/partners/${encodeURIComponent(partner.id)}`;
}

/**
 * A partner's feed document, resolved at `now`: the public feed as it stood
 * `delay` ago (a story appears once `published + delay` has passed, released
 * on time as an embargo is), holding only the stories in the partner's
 * scope, each as its entitlement allows (`transform`). Links point under
 * /partners/{id}; they carry `?key=` only when `key` is given (the request
 * brought it in its URL: a reader that cannot send headers needs it in its
 * paging links too). Throws FeedRequestError (404) for a feed with no
 * visible article.
 */
export async function resolvePartnerFeed(store: Store, partner: Partner, request: FeedRequest, now: Date, transform: ArticleTransform, key?: string): Promise<ResolvedFeed> {
  const { filter, query } = request;
  const site = store.site();
  // Visibility is the store's own embargo rule, asked about the instant `delay` ago.
  const at = new Date(now.getTime() - partner.delayMs);
  const keep = (article: Article) => inScope(partner, article);
  const page = unscoped(partner) ? await store.feedPage(filter, query, at) : await scopedPage(store, filter, query, at, keep);
  if (page === undefined) throw new FeedRequestError(404, `No ${filter?.kind ?? ''} feed named ${JSON.stringify(filter?.slug.slice(0, 100))} for this partner.`);
  const prefix = partnerPrefix(partner);
  const shown = { ...page, articles: page.articles.map((article) => transform.apply(article)) };
  const view = { ...viewOfPage(site, filter, shown), path: `${prefix}${viewOfPage(site, filter, shown).path}` };
  const withKey = (search: string) => (key === undefined ? search : [search, `key=${encodeURIComponent(key)}`].filter((s) => s !== '').join('&'));
  const base = `${site.baseUrl}${view.path}/${FEED_FILE_NAMES[request.format]}`;
  const link = (position?: { before: Cursor } | { after: Cursor }) => {
    const search = withKey(feedQueryString({ limit: query.limit, ...(query.since === undefined ? {} : { since: query.since }) }, site.feedSize, position));
    return search === '' ? base : `${base}?${search}`;
  };
  const topic = feedLinks(site.baseUrl, view.path);
  const self = withKey(request.search);
  const withQuery = (url: string) => (self === '' ? url : `${url}?${self}`);
  const paged = page.next !== undefined || page.previous !== undefined;
  const links: FeedDocumentLinks = {
    self: { rss: withQuery(topic.rss), atom: withQuery(topic.atom), json: withQuery(topic.json), ninjs: withQuery(topic.ninjs) },
    // The public page of the feed: partners are sent to the newsroom's own site, not to a private page.
    html: `${site.baseUrl}${viewOfPage(site, filter, shown).path}/`,
    ...(paged ? { first: link() } : {}),
    ...(page.next === undefined ? {} : { next: link({ before: page.next }) }),
    ...(page.previous === undefined ? {} : { previous: link({ after: page.previous }) }),
    ...(page.last === undefined ? {} : { last: link({ after: page.last }) }),
  };
  const translations = await partnerTranslations(store, partner, page.articles, at);
  const release = earliest(page.nextRelease, translations.nextRelease);
  const nextRelease = release === undefined ? undefined : release + partner.delayMs;
  return { site, view, links, translations, ...(nextRelease === undefined ? {} : { nextRelease }) };
}

/** The translation links a partner may see: none in headline feeds, and only siblings within its scope. */
async function partnerTranslations(store: Store, partner: Partner, articles: readonly Article[], at: Date): Promise<TranslationsAt> {
  if (partner.content === 'headline') return { links: new Map() };
  const all = await store.translations(articles, at);
  if (unscoped(partner)) return all;
  const links = new Map<string, TranslationsAt['links'] extends ReadonlyMap<string, infer L> ? L : never>();
  for (const [id, list] of all.links) {
    const kept = [];
    for (const link of list) {
      const sibling = await store.article(link.id);
      if (sibling !== undefined && inScope(partner, sibling)) kept.push(link);
    }
    if (kept.length > 0) links.set(id, kept);
  }
  return { links, ...(all.nextRelease === undefined ? {} : { nextRelease: all.nextRelease }) };
}
