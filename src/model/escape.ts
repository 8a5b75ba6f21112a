/** Escapes text for an XML or HTML text node or a double-quoted attribute value. */
export function escapeMarkup(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const NEEDS_ESCAPE = /[&<>"]/;
