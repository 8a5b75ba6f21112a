/** Escapes text for an XML or HTML text node or a double-quoted attribute value. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
