import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { XmlBufferInputProvider, XmlDocument, XmlValidateError, xmlRegisterInputProvider, XsdValidator } from 'libxml2-wasm';

// The sitemaps.org 0.9 schema as the `sitemap` package ships it, and our own statement of Google's News rules.
const sitemapXsd = join(dirname(createRequire(import.meta.url).resolve('sitemap/package.json')), 'schema', 'sitemap.xsd');
const files: Record<string, Uint8Array> = {
  'schemas/sitemap.xsd': readFileSync(sitemapXsd),
  'schemas/news.xsd': readFileSync(join(import.meta.dirname, '..', 'schemas', 'google-news-rules.xsd')),
};
xmlRegisterInputProvider(new XmlBufferInputProvider(files));
const wrapper = `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="schemas/sitemap.xsd"/>
  <xsd:import namespace="http://www.google.com/schemas/sitemap-news/0.9" schemaLocation="schemas/news.xsd"/>
</xsd:schema>`;
const validator = XsdValidator.fromDoc(XmlDocument.fromString(wrapper, { url: 'all.xsd' }));

/** Validates a sitemap against the sitemaps.org 0.9 schema with the News extension; returns the errors, [] when valid. */
export function newsSitemapSchemaErrors(xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return [];
  } catch (error) {
    if (error instanceof XmlValidateError) return error.details.map((d) => `${d.line}:${d.col} ${d.message.trim()}`);
    throw error;
  } finally {
    doc.dispose();
  }
}
