import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../src/api-description/openapi.js';

/**
 * `npm run build` runs this (compiled to dist/scripts/) to write
 * dist/openapi.json, the document the package ships as `wirefeed/openapi.json`
 * for client generators: the one /api/openapi.json serves at the root,
 * with the record schema read from data/article.schema.json as it is built.
 * An argument writes it elsewhere (the pack test's staged package).
 */
const out = process.argv[2] ?? fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
