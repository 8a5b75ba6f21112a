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
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeMarkup(String(value))}"`)
    .join('');
  if (content === undefined) return `\n${indent}<${name}${attrs}/>`;
  if ('text' in content) return `\n${indent}<${name}${attrs}>${escapeMarkup(content.text)}</${name}>`;
  if (content.children.length === 0) return `\n${indent}<${name}${attrs}/>`;
  return `\n${indent}<${name}${attrs}>${content.children.join('')}\n${indent}</${name}>`;
}

/** Cuts the serialized item out of a one-item document: from the line that opens `<tag>` to its last `</tag>`. */
export function extractElement(document: string, tag: string): string {
  const open = document.indexOf(`<${tag}>`);
  const close = document.lastIndexOf(`</${tag}>`);
  if (open === -1 || close === -1) throw new Error(`feed produced no <${tag}> element`);
  const lineStart = document.lastIndexOf('\n', open);
  return document.slice(lineStart, close + tag.length + 3);
}

/** Inserts serialized elements just before the closing tag at the end of a fragment. */
export function appendBeforeClose(fragment: string, tag: string, elements: string): string {
  const close = fragment.lastIndexOf(`\n`, fragment.lastIndexOf(`</${tag}>`));
  return fragment.slice(0, close) + elements + fragment.slice(close);
}
