import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A JSON value as read from a schema file. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
/** A JSON Schema (OpenAPI 3.1's schema objects are JSON Schema 2020-12). */
export type JsonSchema = { readonly [key: string]: Json };

/**
 * Finds data/article.schema.json by walking up from this module: two
 * folders up from src/api-description when tests run the TypeScript, three
 * from dist/src/api-description in the package (which ships data/*.schema.json).
 */
export function findRecordSchema(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const path = join(dir, 'data', 'article.schema.json');
    if (existsSync(path)) return path;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`wirefeed: cannot find data/article.schema.json above ${from}`);
}

/** The record schema as written (the one editors' $schema and `wirefeed lint` users read). */
export function readRecordSchema(path: string = findRecordSchema()): JsonSchema {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonSchema;
}

/** Every `#/$defs/<name>` reference in `value` pointed at `components/schemas/<prefix><Name>`, in a fresh copy. */
function pointRefs(value: Json, prefix: string): Json {
  if (Array.isArray(value)) return value.map((item: Json) => pointRefs(item, prefix));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const [key, item] of Object.entries(value as { readonly [key: string]: Json })) {
    out[key] = key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/') ? `#/components/schemas/${componentName(prefix, item.slice('#/$defs/'.length))}` : pointRefs(item, prefix);
  }
  return out;
}

function componentName(prefix: string, def: string): string {
  return `${prefix}${def.charAt(0).toUpperCase()}${def.slice(1)}`;
}

/**
 * The record schema merged into an OpenAPI document's components, read from
 * the file rather than copied: `name` is the record itself, each of its
 * `$defs` becomes `<name><Def>` (so `#/$defs/date` becomes
 * `#/components/schemas/ArticleRecordDate`), and `$schema` and `$id` go
 * (inside a document, a schema's `$id` would change what its references
 * resolve against, and generators do not all follow that).
 */
export function recordComponents(schema: JsonSchema, name: string): Record<string, JsonSchema> {
  const { $schema: _dialect, $id: _id, $defs, ...record } = schema;
  const components: Record<string, JsonSchema> = { [name]: pointRefs(record, name) as JsonSchema };
  for (const [def, body] of Object.entries(($defs ?? {}) as Record<string, Json>)) components[componentName(name, def)] = pointRefs(body, name) as JsonSchema;
  return components;
}
