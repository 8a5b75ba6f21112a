/**
 * ASCII characters RFC 3986 does not allow in a URI outside the host:
 * WHATWG URL parsing (new URL) leaves `[`, `]`, `{`, `}`, `|`, `\`, `^`
 * and some others as they are, and the W3C validator reports each as an
 * error ("Invalid character in a URI"). A record's `…#]]>` became one.
 */
const NOT_IN_URI = /[^0-9A-Za-z;/?:@&=+$.\-_!~*'()%,#\u0080-\u{10FFFF}]/u;

/**
 * A parsed http(s) URL as a string every URI reader accepts: the URL
 * standard's serialisation, with the ASCII characters it leaves but RFC 3986
 * forbids percent-encoded after the host (the host keeps its IPv6 brackets).
 * The same resource: a server decodes `%5B` and `[` alike.
 */
export function strictUri(url: URL): string {
  const href = url.toString();
  const hostEnd = href.indexOf(url.host, url.protocol.length) + url.host.length;
  const rest = href.slice(hostEnd);
  if (!NOT_IN_URI.test(rest)) return href;
  // Global only here, and a fresh one: a module-level global regex keeps its position between calls.
  return href.slice(0, hostEnd) + rest.replace(new RegExp(NOT_IN_URI.source, 'gu'), (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
