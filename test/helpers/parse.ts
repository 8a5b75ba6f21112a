import { XMLParser, XMLValidator } from 'fast-xml-parser';

const ARRAYS = new Set(['item', 'entry', 'category', 'dc:creator', 'dc:contributor', 'media:content', 'author', 'contributor', 'link', 'atom:link']);

/** Parses RSS or Atom after checking well-formedness; CDATA merged into text, attributes as @_name, entities decoded. */
export function parseXml(xml: string): Record<string, any> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return parseWithoutCheck(withNumericReferencesDecoded(xml));
}

const SPECIAL: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * fast-xml-parser leaves numeric character references (`&#x26;`) undecoded
 * unless told to decode HTML's named entities too, which XML has not got.
 * Every XML reader decodes them, so this does it first, outside CDATA (where
 * they are literal text): the five special characters as their named
 * references, anything else as the character. White space references stay,
 * since attribute-value normalisation treats them differently.
 */
export function withNumericReferencesDecoded(xml: string): string {
  return xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&#(x[0-9a-fA-F]+|[0-9]+);/g, (ref, code: string) => {
            const point = code[0] === 'x' ? parseInt(code.slice(1), 16) : parseInt(code, 10);
            if (point === 0x9 || point === 0xa || point === 0xd) return ref;
            const char = String.fromCodePoint(point);
            return SPECIAL[char] ?? char;
          }),
    )
    .join('');
}

function parseWithoutCheck(xml: string): Record<string, any> {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) => ARRAYS.has(name),
  }).parse(xml) as Record<string, any>;
}

/** Text of a parsed element that may carry attributes. */
export function text(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return String((node as Record<string, unknown>)['#text'] ?? '');
  return String(node);
}

/** Decodes the HTML escaping our renderers use for text in HTML contexts. */
export function decodeHtmlText(html: string): string {
  return html.replace(/&(lt|gt|quot|#39|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", amp: '&' })[e] ?? _m);
}
