import sanitizeHtml from 'sanitize-html';
import { cleanText, stripInvalidXmlChars } from './text.js';

/**
 * Hosts whose embedded players are kept, as a link to the player: feed
 * readers do not run iframes and validators flag them as a security risk.
 * An iframe from any other host is removed.
 */
const ALLOWED_IFRAME_HOSTS = ['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com'] as const;

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img', 'figure', 'figcaption', 'picture', 'h1', 'h2', 'del', 'ins', 'sub', 'sup',
];

/**
 * Makes an article body safe to hand to any reader: a maintained sanitiser
 * (sanitize-html) removes scripts, styles, event handlers, `javascript:` and
 * `data:` URLs and iframes from unknown hosts; relative links and image
 * sources are made absolute against the article's URL, because a feed
 * reader resolves them against the feed, not the article.
 */
export function sanitizeBody(html: string, articleUrl: string): string {
  const absolute = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    try {
      return new URL(value.trim(), articleUrl).toString();
    } catch {
      return undefined;
    }
  };
  const withAbsolute = (attribute: string) => (tagName: string, attribs: sanitizeHtml.Attributes) => {
    const { [attribute]: value, ...rest } = attribs;
    const resolved = absolute(value);
    return { tagName, attribs: resolved === undefined ? rest : { ...rest, [attribute]: resolved } };
  };
  const clean = sanitizeHtml(stripInvalidXmlChars(html), {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'hreflang'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start', 'reversed'],
      '*': ['lang', 'dir'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    transformTags: { a: withAbsolute('href'), img: withAbsolute('src'), iframe: playerLink(absolute) },
  });
  // The sanitiser decodes character references, so "&#x1;" or "&#xFFFE;" in the input come out as the
  // characters themselves, which XML cannot carry: clean its output too, not only its input.
  return cleanText(clean);
}

/** An iframe from a known player host becomes a link to the player; any other stays an iframe, which is not allowed and so removed. */
function playerLink(absolute: (value: string | undefined) => string | undefined) {
  return (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => {
    const src = absolute(attribs.src);
    let host: string | undefined;
    try {
      host = src === undefined ? undefined : new URL(src).protocol === 'https:' ? new URL(src).hostname : undefined;
    } catch {
      host = undefined;
    }
    if (src === undefined || host === undefined || !(ALLOWED_IFRAME_HOSTS as readonly string[]).includes(host)) return { tagName, attribs: {} };
    return { tagName: 'a', attribs: { href: src }, text: attribs.title?.trim() || src };
  };
}
