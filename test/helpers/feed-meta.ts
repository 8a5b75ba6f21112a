import type { FeedMeta } from '../../src/map/to-feed-model.js';
import type { Site } from '../../src/model/types.js';
import { feedLinks } from '../../src/query/resolve-feed.js';

/**
 * The FeedMeta the server gives the renderers for the feed at folder `path`
 * ("" for the main feed) with query `search`: the site's title and
 * description, and self links of every served format made as
 * query/resolve-feed.ts makes them.
 */
export function feedMeta(site: Site, updated: Date, path = '', search = ''): FeedMeta {
  return { title: site.title, description: site.description, path, links: feedLinks(site.baseUrl, path, search), updated };
}
