import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RelaxNGValidator, XmlDocument, XmlValidateError } from 'libxml2-wasm';

const rng = XmlDocument.fromString(readFileSync(join(import.meta.dirname, '..', 'schemas', 'atom.rng'), 'utf8'));
const validator = RelaxNGValidator.fromDoc(rng);

/** Validates an Atom document against the RFC 4287 RELAX NG schema (libxml2); returns the errors, [] when valid. */
export function atomSchemaErrors(xml: string): string[] {
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
