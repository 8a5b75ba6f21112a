/**
 * Characters XML 1.0 cannot carry (C0 controls other than tab, LF and CR;
 * lone surrogates; U+FFFE and U+FFFF), plus DEL and the C1 controls, which
 * XML allows but validators and readers reject or mangle. `feed` writes them
 * through as they are, which makes the whole document unreadable, so every
 * string is cleaned here, once, as it is loaded. Also removed: the other
 * Unicode noncharacters (U+FDD0–U+FDEF and U+nFFFE/U+nFFFF in every plane),
 * which HTML parsers report as "invalid codepoint", and U+FFFD, the
 * replacement character, which stands for text already lost and which the
 * W3C validator reports as "bad characters".
 */
const INVALID_XML_CHARS_SOURCE =
  '[\\uD83F\\uD87F\\uD8BF\\uD8FF\\uD93F\\uD97F\\uD9BF\\uD9FF\\uDA3F\\uDA7F\\uDABF\\uDAFF\\uDB3F\\uDB7F\\uDBBF\\uDBFF][\\uDFFE\\uDFFF]|' +
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFD\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
/**
 * A plain character class that matches everything the pattern above can
 * (and surrogate pairs too). It scans far faster than the pattern with its
 * look-arounds, so clean text (nearly all of it) is passed by this alone.
 */
const MAY_BE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uD800-\uDFFF\uFDD0-\uFDEF\uFFFD\uFFFE\uFFFF]/;
const ALL_INVALID = new RegExp(INVALID_XML_CHARS_SOURCE, 'g');

/** Removes characters that XML 1.0 cannot carry (see above). */
export function stripInvalidXmlChars(text: string): string {
  return MAY_BE_INVALID.test(text) ? text.replace(ALL_INVALID, '') : text;
}

/** White space that folding would change: anything but a single plain space. */
const FOLDABLE_SPACE = /[^\S ]|\s\s/u;

/** Single-line text: invalid characters removed, runs of white space folded to one space, trimmed. */
export function cleanLine(text: string): string {
  const clean = stripInvalidXmlChars(text);
  return (FOLDABLE_SPACE.test(clean) ? clean.replace(/\s+/gu, ' ') : clean).trim();
}

/**
 * Multi-line text (a summary, a body): invalid characters removed, line
 * breaks kept but written as LF (an XML reader turns CRLF and CR into LF,
 * so JSON Feed would otherwise disagree with RSS and Atom), trimmed.
 */
export function cleanText(text: string): string {
  return stripInvalidXmlChars(text).replace(/\r\n?/g, '\n').trim();
}

/** An HTML tag (`<b>`, `</b>`, `<br/>`, `<a href="…">`) or comment, as an editor pastes it from a web page. */
const MARKUP = /<!--[\s\S]*?-->|<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>/g;

const HAS_MARKUP = new RegExp(MARKUP.source);

/**
 * Plain text that may have markup pasted into it (a caption, a photo credit,
 * alt text): tags and comments removed, white space folded again. These
 * fields are plain text in every format (Media RSS declares
 * `type="plain"`), so `<b>` there is a paste from a web page, not
 * formatting; kept, validators flag it and readers show the tags as text.
 * Text that only looks a little like markup ("a < b") is left alone.
 */
export function stripMarkup(line: string): string {
  return HAS_MARKUP.test(line) ? cleanLine(line.replace(MARKUP, ' ')) : line;
}
