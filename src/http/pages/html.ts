import { escapeMarkup } from '../../model/escape.js';

/**
 * Markup that is already safe to send: produced by the `html` template
 * (which escapes everything interpolated into it) or by `trustedHtml` for
 * markup written in this code base. Records never become SafeHtml without
 * passing through escaping.
 */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What may be interpolated: text (escaped), numbers, safe markup, lists of those; nothing for undefined/false. */
export type HtmlValue = string | number | SafeHtml | undefined | null | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeMarkup(String(value));
}

/**
 * Tagged template for HTML: every interpolated value is escaped for a text
 * node or a double-quoted attribute (`&<>"`), unless it is SafeHtml. Attribute
 * values must therefore always be written in double quotes.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup written by this code (never from records) taken as is. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A URL for an href or src: only absolute http(s) URLs and same-origin paths
 * pass; anything else (javascript:, data:, junk) becomes undefined so the
 * caller leaves the attribute out. Records are validated on load; this is
 * the second line of defence at the edge.
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
