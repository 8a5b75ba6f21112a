import { describe, expect, it } from 'vitest';
import { classifyUserAgent, FETCHERS } from '../../src/stats/user-agents.js';

/** User-Agents the readers really send (from server logs and the readers' own fetcher pages), one per row of FETCHERS. */
const HOSTED: readonly [agent: string, fetcher: string, feedId: string, subscribers: number | undefined][] = [
  ['Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )', 'Feedly', '', 462],
  ['Feedly/1.0 (+https://feedly.com/poller.html; 1 subscribers; )', 'Feedly', '', 1],
  ['Feedly/1.0 (+http://www.feedly.com/fetcher.html; like FeedFetcher-Google)', 'Feedly', '', undefined],
  ['Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)', 'Inoreader', '', 114],
  ['Mozilla/5.0 (compatible; inoreader.com; 1 subscriber)', 'Inoreader', '', 1],
  [
    'NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/6031234/example-news (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.1.2 Safari/605.1.15)',
    'NewsBlur',
    '6031234',
    27,
  ],
  ['Feedbin feed-id:1697787 - 102 subscribers', 'Feedbin', '1697787', 102],
  ['Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=0719795c4d27c784217b0bc0)', 'The Old Reader', '0719795c4d27c784217b0bc0', 1],
  ['Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 6 subscribers)', 'BazQux', '', 6],
  ['Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 4 subscribers; feed-id=9048986372668769311)', 'Google Feedfetcher', '9048986372668769311', 4],
  ['Netvibes (http://www.netvibes.com/; 5 subscribers; feedID: 19385093)', 'Netvibes', '19385093', 5],
  ['Feed Wrangler/1.0 (2 subscribers; feed-id=1234; http://feedwrangler.net; Allow like Gecko)', 'Feed Wrangler', '1234', 2],
  ['Mozilla/5.0 (compatible; Feedspot/1.0 (+https://www.feedspot.com/fs/fetcher; like FeedFetcher-Google); 3 subscribers)', 'Feedspot', '', 3],
  ['Bloglovin/1.0 (http://www.bloglovin.com; 12 subscribers)', 'Bloglovin', '', 12],
  ['g2reader-bot/1.0 (+http://www.g2reader.com; 3 subscribers)', 'G2Reader', '', 3],
  ['livedoor FeedFetcher/0.01 (http://reader.livedoor.com/; 4 subscribers)', 'livedoor Reader', '', 4],
  ['Overcast/1.0 Podcast Sync (1190 subscribers; feed-id=554901; +http://overcast.fm/)', 'Overcast', '554901', 1190],
  ['YahooFeedSeeker/2.0 (compatible; Mozilla 4.0; MSIE 5.5; http://publisher.yahoo.com/rssguide; users 12; views 0)', 'Yahoo FeedSeeker', '', 12],
];

describe('hosted readers: the fetcher table', () => {
  it.each(HOSTED)('%s', (agent, fetcher, feedId, subscribers) => {
    expect(classifyUserAgent(agent)).toEqual({ kind: 'hosted', fetcher, feedId, subscribers });
  });

  it('every row of FETCHERS has a real agent above', () => {
    const tested = new Set(HOSTED.map(([, name]) => name));
    expect(FETCHERS.map((f) => f.name).filter((name) => !tested.has(name))).toEqual([]);
  });

  it('a reader the table does not know still counts by the subscribers it reports, under its own name', () => {
    expect(classifyUserAgent('SomeReader/2.1 (1,204 readers)')).toEqual({ kind: 'hosted', fetcher: 'SomeReader', feedId: '', subscribers: 1204 });
    expect(classifyUserAgent('Mozilla/5.0 (compatible; NewHostedReader/3.0; 42 subscribers)')).toEqual({ kind: 'hosted', fetcher: 'NewHostedReader', feedId: '', subscribers: 42 });
  });
});

describe('everyone else', () => {
  it.each([
    ['NetNewsWire (RSS Reader; https://netnewswire.com/)', 'app'],
    ['Reeder/5050001 CFNetwork/1408.0.4 Darwin/22.5.0', 'app'],
    ['Tiny Tiny RSS/22.08-1234abcd (https://tt-rss.org/)', 'app'],
    ['FreshRSS/1.21.0 (Linux; https://freshrss.org)', 'app'],
    ['Mozilla/5.0 (compatible; Miniflux/2.0.43; +https://miniflux.app)', 'app'],
    ['Liferea/1.13.5 (Linux; en_US; https://lzone.de/liferea/)', 'app'],
    ['Akregator/5.22.3; syndication', 'app'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Thunderbird/115.3.1', 'app'],
    ['curl/8.4.0', 'app'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'browser'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0', 'browser'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1', 'browser'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'crawler'],
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36', 'crawler'],
    ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)', 'crawler'],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'crawler'],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'crawler'],
    ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'crawler'],
    ['', 'unknown'],
  ] as const)('%s → %s', (agent, kind) => {
    expect(classifyUserAgent(agent === '' ? undefined : agent).kind).toBe(kind);
  });
});
