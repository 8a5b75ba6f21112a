/**
 * The documented load-time normalisation (README, "Normalisation applied on
 * load"), written again independently of src/load so the property tests
 * check the implementation against the documentation, not against itself.
 */

/** True for a UTF-16 code unit XML 1.0 cannot carry on its own (surrogates handled by the caller). */
function isIllegalUnit(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || c >= 0xfffd;
}

/** Removes C0/C1 controls (but tab, LF, CR), DEL, noncharacters (U+FDD0–U+FDEF, U+nFFFE, U+nFFFF), U+FFFD and lone surrogates. */
export function expectStripped(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // An astral noncharacter (U+1FFFE, U+10FFFF …) goes too.
        if ((text.codePointAt(i)! & 0xfffe) !== 0xfffe) out += text.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    if (isIllegalUnit(c)) continue;
    out += text[i];
  }
  return out;
}

/** A single-line field: stripped, white space folded to one space, trimmed. */
export function expectLine(text: string): string {
  return expectStripped(text).replace(/\s+/gu, ' ').trim();
}

/** A multi-line field (summary): stripped, line breaks as LF (what XML readers see anyway), trimmed. */
export function expectText(text: string): string {
  return expectStripped(text).replace(/\r\n?/g, '\n').trim();
}

/**
 * Every character in a serialized XML document is an XML 1.0 Char, and no
 * character reference points outside Char. fast-xml-parser's validator
 * checks neither, so this is checked separately.
 */
export function findIllegalXml(xml: string): string | undefined {
  for (let i = 0; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = xml.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `lone high surrogate U+${c.toString(16)} at ${i}`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `lone low surrogate U+${c.toString(16)} at ${i}`;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) return `illegal character U+${c.toString(16).padStart(4, '0')} at ${i}`;
  }
  for (const m of xml.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : Number(m[1]);
    const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!legal) return `character reference ${m[0]} to an illegal character`;
  }
  // Outside CDATA only the five predefined entities exist (no DTD is declared).
  const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);)[^\s]{0,12}/.exec(outsideCdata);
  if (entity) return `undeclared entity or bare "&": ${JSON.stringify(entity[0])}`;
  return undefined;
}

/** XML 1.0 §2.11: a conformant parser reads CRLF and lone CR as LF. fast-xml-parser does not, so tests do it first. */
export function normaliseXmlLineEnds(xml: string): string {
  return xml.replace(/\r\n?/g, '\n');
}

/** Decodes the HTML that escapeMarkup-style text turns into (Atom type="html", RSS description). */
export function decodeEscapedHtmlText(html: string): string {
  return html.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_m, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[name] ?? '');
}
