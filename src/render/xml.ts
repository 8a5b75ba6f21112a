import { escapeMarkup } from '../model/escape.js';

/**
 * Escaping for values that pass through `feed` 6 and its serializer xml-js.
 * xml-js turns every "&amp;" in a text node back into "&" before escaping
 * (so a literal "&amp;" in a headline would reach readers as "&"), and it
 * escapes only the first "]]>" inside a CDATA section (a second one ends the
 * section early and breaks the document). These functions prepare a value
 * so that what xml-js writes reads back as exactly the original.
 */

/** For a value xml-js writes as a text node. */
export function forXmlJsText(value: string): string {
  return value.replace(/&/g, '&amp;');
}

/** For a value xml-js writes inside CDATA: every "]]>" after the first is split here, xml-js splits the first. */
export function forXmlJsCdata(value: string): string {
  const first = value.indexOf(']]>');
  if (first === -1) return value;
  return value.slice(0, first + 3) + value.slice(first + 3).split(']]>').join(']]]]><![CDATA[>');
}

type AttributeValue = string | number | undefined;

/**
 * One element we write ourselves (what `feed` cannot), escaped properly.
 * `children` are already-serialized elements; `text` is escaped here.
 */
export function element(indent: string, name: string, attributes: Readonly<Record<string, AttributeValue>>, content?: { text: string } | { children: readonly string[] }): string {
  let attrs = '';
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) attrs += ` ${key}="${escapeMarkup(String(value))}"`;
  }
  if (content === undefined) return `\n${indent}<${name}${attrs}/>`;
  if ('text' in content) return `\n${indent}<${name}${attrs}>${escapeMarkup(content.text)}</${name}>`;
  if (content.children.length === 0) return `\n${indent}<${name}${attrs}/>`;
  return `\n${indent}<${name}${attrs}>${content.children.join('')}\n${indent}</${name}>`;
}

/**
 * Cuts a document that `feed` wrote into its `count` items: each fragment
 * runs from the line that opens an item to its closing tag. The boundaries
 * are found by the item's indentation at the start of a line; no text inside
 * an item can carry them (titles are single lines, HTML goes through the
 * sanitiser, which drops unknown tags, and every other text is escaped).
 */
export function splitElements(document: string, open: string, close: string, count: number): string[] {
  const fragments: string[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const start = document.indexOf(open, from);
    const end = start === -1 ? -1 : document.indexOf(close, start);
    if (end === -1) throw new Error(`feed wrote ${i} of ${count} items`);
    from = end + close.length;
    fragments.push(document.slice(start, from));
  }
  return fragments;
}

/** Inserts serialized elements just before the closing tag that ends a fragment. */
export function appendBeforeClose(fragment: string, tag: string, elements: string): string {
  if (elements === '') return fragment;
  const close = fragment.lastIndexOf(`\n`, fragment.length - tag.length - 3);
  return fragment.slice(0, close) + elements + fragment.slice(close);
}

const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;

/**
 * Writes "&" and "<" in text and attribute values as the hexadecimal
 * references `&#x26;` and `&#x3C;` instead of `&amp;` and `&lt;`: the same
 * characters to every XML reader, and what the RSS Profile asks for. The W3C
 * validator warns about "&" or "<" in plain text ("Encode "&" and "<" in
 * plain text using hexadecimal character references", and "should not
 * contain HTML" for a name or label holding "&amp;") unless the line holds
 * such a reference. CDATA sections are left alone: a reference there would
 * be literal text.
 */
export function withHexReferences(xml: string): string {
  if (!xml.includes('&amp;') && !xml.includes('&lt;')) return xml;
  let out = '';
  let from = 0;
  for (const match of xml.matchAll(CDATA_SECTION)) {
    out += hexOutside(xml.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return out + hexOutside(xml.slice(from));
}

function hexOutside(text: string): string {
  return text.replace(/&amp;/g, '&#x26;').replace(/&lt;/g, '&#x3C;');
}
