/**
 * Who a User-Agent is, as far as readership goes: a hosted reader that
 * reports its subscribers, an individual reader app, a browser, a crawler,
 * or nothing at all. Each fetcher is one row of FETCHERS, checked by a test
 * with a User-Agent it really sent (test/stats/user-agents.test.ts).
 */

/** The kinds of reader a request is counted under; the report's "readers by kind" chart lists them in this order. */
export const READER_KINDS = ['hosted', 'app', 'browser', 'crawler', 'unknown'] as const;
export type ReaderKind = (typeof READER_KINDS)[number];

/** What one User-Agent string says. */
export type Reader =
  | {
      readonly kind: 'hosted';
      /** The service's name from FETCHERS (or the agent's first word when only the count gave it away). */
      readonly fetcher: string;
      /** The service's id for the feed, when it gives one (Feedbin, The Old Reader, Google): two ids are two subscriptions. */
      readonly feedId: string;
      /** Subscribers it reports; undefined when it names itself without a count. */
      readonly subscribers: number | undefined;
    }
  | { readonly kind: 'app' | 'browser' | 'crawler' | 'unknown' };

/** A hosted reader: how to recognise it and where its feed id is. The count is read the same way for all (SUBSCRIBERS). */
interface Fetcher {
  readonly name: string;
  readonly match: RegExp;
  readonly feedId?: RegExp;
}

/**
 * Hosted readers, first match wins. Each polls once for all its users and
 * says how many they are; FeedPress and Buttondown count them the same way.
 */
export const FETCHERS: readonly Fetcher[] = [
  // Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )
  { name: 'Feedly', match: /\bfeedly\b/i },
  // Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)
  { name: 'Inoreader', match: /\binoreader\b/i },
  // NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/6031234/… (Mozilla/5.0 … Safari/605.1.15)
  { name: 'NewsBlur', match: /\bNewsBlur\b/i, feedId: /newsblur\.com\/site\/(\d+)/i },
  // Feedbin feed-id:1697787 - 102 subscribers
  { name: 'Feedbin', match: /\bFeedbin\b/i, feedId: /feed-id:(\d+)/i },
  // Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=0719795c4d27c784217b0bc0)
  { name: 'The Old Reader', match: /theoldreader\.com/i, feedId: /feed-id=([0-9a-z]+)/i },
  // Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 2 subscribers)
  { name: 'BazQux', match: /\bBazQux\b/i },
  // Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 1 subscribers; feed-id=1368044458445856733)
  // Anchored: Feedly and Feedspot say "like FeedFetcher-Google" in theirs.
  { name: 'Google Feedfetcher', match: /^Feedfetcher-Google/, feedId: /feed-id=(\d+)/i },
  // Netvibes (http://www.netvibes.com/; 5 subscribers; feedID: 19385093)
  { name: 'Netvibes', match: /\bNetvibes\b/i, feedId: /feedID: ?(\d+)/i },
  // Feed Wrangler/1.0 (2 subscribers; feed-id=1234; http://feedwrangler.net; Allow like Gecko)
  { name: 'Feed Wrangler', match: /Feed ?Wrangler/i, feedId: /feed-id=(\d+)/i },
  // Mozilla/5.0 (compatible; Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google); 3 subscribers)
  { name: 'Feedspot', match: /\bFeedspot\b/i },
  // Bloglovin/1.0 (http://www.bloglovin.com; 12 subscribers)
  { name: 'Bloglovin', match: /\bBloglovin\b/i },
  // g2reader-bot/1.0 (+http://www.g2reader.com; 3 subscribers)
  { name: 'G2Reader', match: /g2reader/i },
  // livedoor FeedFetcher/0.01 (http://reader.livedoor.com/; 4 subscribers)
  { name: 'livedoor Reader', match: /livedoor FeedFetcher/i },
  // Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456789; +http://overcast.fm/)
  { name: 'Overcast', match: /\bOvercast\b/i, feedId: /feed-id=(\d+)/i },
  // YahooFeedSeeker/2.0 (compatible; Mozilla 4.0; MSIE 5.5; http://publisher.yahoo.com/rssguide; users 12; views 0)
  { name: 'Yahoo FeedSeeker', match: /YahooFeedSeeker/i },
];

/** "462 subscribers", "1 subscriber", "1,204 readers", "users 12": the count every hosted reader reports, one way or another. */
const SUBSCRIBERS = /(\d[\d,]*) (?:subscribers?|readers?)\b|\busers (\d+)/i;

/**
 * Crawlers and link previews: they fetch a feed but nobody reads it through
 * them. Search engines, SEO and AI crawlers, chat apps unfurling a link.
 */
const CRAWLER = /bot\b|bot\/|crawl|spider|slurp|facebookexternalhit|embedly|preview|scrapy|headlesschrome|lighthouse|archive\.org|ia_archiver|\bCCBot|GPTBot|Bytespider|PetalBot|python-requests\/|\bzgrab|masscan|nuclei|uptime|pingdom|monitor/i;

/**
 * A browser opening the feed: a Mozilla/Opera token with a rendering engine
 * and none of the words a reader app puts in its agent. Reader apps that
 * borrow a browser's agent whole are counted as browsers: their requests
 * cannot be told apart.
 */
const BROWSER = /^(?:Mozilla\/5\.0 \(|Opera\/).*(?:Gecko|AppleWebKit|Trident|Presto)/;
const APP_HINT = /rss|feed|reader|news|atom|podcast|syndication|NetNewsWire|Reeder|Vienna|Liferea|Akregator|Thunderbird|FreshRSS|Miniflux|Tiny Tiny/i;

/** Who `userAgent` is. Pure and a little costly (a dozen regular expressions): callers cache it per distinct agent. */
export function classifyUserAgent(userAgent: string | undefined): Reader {
  if (userAgent === undefined || userAgent.trim() === '') return { kind: 'unknown' };
  const count = SUBSCRIBERS.exec(userAgent);
  const subscribers = count === null ? undefined : Number((count[1] ?? count[2] ?? '').replace(/,/g, ''));
  const fetcher = FETCHERS.find((f) => f.match.test(userAgent));
  if (fetcher !== undefined) {
    const feedId = fetcher.feedId?.exec(userAgent)?.[1] ?? '';
    return { kind: 'hosted', fetcher: fetcher.name, feedId, subscribers };
  }
  // A reader this table does not know yet still says how many it polls for.
  if (subscribers !== undefined) return { kind: 'hosted', fetcher: nameOf(userAgent), feedId: '', subscribers };
  if (CRAWLER.test(userAgent)) return { kind: 'crawler' };
  if (BROWSER.test(userAgent) && !APP_HINT.test(userAgent)) return { kind: 'browser' };
  return { kind: 'app' };
}

/** The first word of an unknown fetcher's agent, without its version: "SomeReader/2.1 (…)" → "SomeReader". */
function nameOf(userAgent: string): string {
  const compatible = /compatible; ([^;/)]+)/i.exec(userAgent)?.[1];
  const first = compatible ?? userAgent.split(/[\s/(;]/, 1)[0] ?? '';
  return first.trim().slice(0, 40) || 'unnamed';
}
