import { XMLParser, XMLValidator } from 'fast-xml-parser';

const ARRAYS = new Set(['item', 'entry', 'category', 'dc:creator', 'dc:contributor', 'media:content', 'author', 'contributor', 'link', 'atom:link']);

/** Parses RSS or Atom after checking well-formedness; CDATA merged into text, attributes as @_name, entities decoded. */
export function parseXml(xml: string): Record<string, any> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
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
