import sanitizeHtml from 'sanitize-html';
import { cleanText, stripInvalidXmlChars } from './text.js';

/** Hosts whose embedded players may stay in a body as iframes; any other iframe is removed. */
export const ALLOWED_IFRAME_HOSTS = ['www.youtube.com', 'www.youtube-nocookie.com', 'player.vimeo.com'] as const;

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img', 'figure', 'figcaption', 'picture', 'h1', 'h2', 'iframe', 'del', 'ins', 'sub', 'sup',
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
      iframe: ['src', 'width', 'height', 'title', 'allowfullscreen'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
      ol: ['start', 'reversed'],
      '*': ['lang', 'dir'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'], iframe: ['https'] },
    allowedIframeHostnames: [...ALLOWED_IFRAME_HOSTS],
    allowProtocolRelative: false,
    transformTags: { a: withAbsolute('href'), img: withAbsolute('src'), iframe: withAbsolute('src') },
    // An iframe whose src was refused (unknown host, bad scheme) would stay as an empty frame: drop it whole.
    exclusiveFilter: (frame) => frame.tag === 'iframe' && !frame.attribs.src,
  });
  // The sanitiser decodes character references, so "&#x1;" or "&#xFFFE;" in the input come out as the
  // characters themselves, which XML cannot carry: clean its output too, not only its input.
  return cleanText(clean);
}
