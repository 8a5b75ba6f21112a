import { HEADERS, PARAMETERS, PROBLEM_RESPONSES, RECORD_SCHEMA, RESPONSE_SCHEMAS, SECURITY_SCHEMES } from './components.js';
import { readRecordSchema, recordComponents, type JsonSchema } from './record-schema.js';

/** Where the document is served, under the API's mount. */
export const OPENAPI_PATH = '/openapi.json';

const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const param = (name: string): JsonSchema => ({ $ref: `#/components/parameters/${name}` });
const header = (name: string): JsonSchema => ({ $ref: `#/components/headers/${name}` });
const problems = (...names: string[]): Record<string, JsonSchema> => Object.fromEntries(names.map((name) => [STATUS_OF[name] as string, { $ref: `#/components/responses/${name}` }]));
const json = (description: string, schema: string, headers: Record<string, JsonSchema> = {}): JsonSchema => ({
  description,
  ...(Object.keys(headers).length > 0 ? { headers } : {}),
  content: { 'application/json': { schema: schemaRef(schema) } },
});

/** The status each shared error response stands for. */
const STATUS_OF: Readonly<Record<string, string>> = {
  BadRequest: '400', Unauthorized: '401', Forbidden: '403', NotFound: '404', MethodNotAllowed: '405', Conflict: '409', PreconditionFailed: '412',
  TooLarge: '413', UriTooLong: '414', UnsupportedMediaType: '415', PreconditionRequired: '428', TooManyRequests: '429', InternalError: '500', Unavailable: '503',
};

/** What any request may be answered by the guards in front of every route: a refused URL, the rate limit, a store not ready, a fault. */
const GUARDED = ['BadRequest', 'UriTooLong', 'TooManyRequests', 'InternalError', 'Unavailable'];
/** …and by the key check in front of every route but the document. */
const KEYED = [...GUARDED, 'Unauthorized', 'Forbidden'];
const WRITE_HEADERS = { ETag: header('ETag'), 'Wirefeed-Version': header('WirefeedVersion') };

/** Every route of the API, method by method (test/api/openapi-routes.test.ts checks the app has no other). */
const PATHS: Readonly<Record<string, JsonSchema>> = {
  '/api/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document.',
      security: [],
      responses: { '200': { description: 'The OpenAPI description of the API.', content: { 'application/json': { schema: { type: 'object' } } } }, ...problems(...GUARDED) },
    },
  },
  '/api/articles': {
    get: {
      operationId: 'listArticles',
      summary: 'Every stored article, newest first, with its state.',
      parameters: [{ name: 'status', in: 'query', required: false, schema: { enum: ['all', 'published', 'draft', 'embargoed'], default: 'all' } }],
      responses: { '200': json('The articles.', 'ArticleList'), ...problems(...KEYED) },
    },
  },
  '/api/articles/{id}': {
    parameters: [param('id')],
    get: {
      operationId: 'getArticle',
      summary: 'One article, with the ETag to send back in If-Match.',
      responses: { '200': json('The article.', 'Article', { ETag: header('ETag') }), ...problems(...KEYED, 'NotFound') },
    },
    put: {
      operationId: 'putArticle',
      summary: 'Creates (201) or replaces (200) the article; answers once the change is stored and served.',
      description: 'The body is the record as data/article.schema.json describes it, checked with the loader\'s rules (what a schema cannot say is checked too: dates are real instants, the time zone exists).',
      security: [{ bearerKey: ['services', 'sections'] }],
      parameters: [param('IfMatch'), param('IfNoneMatchCreate')],
      requestBody: { required: true, content: { 'application/json': { schema: schemaRef(RECORD_SCHEMA) } } },
      responses: {
        '200': json('Replaced.', 'WrittenArticle', WRITE_HEADERS),
        '201': json('Created.', 'WrittenArticle', { Location: header('Location'), ...WRITE_HEADERS }),
        ...problems(...KEYED, 'Conflict', 'PreconditionFailed', 'TooLarge', 'UnsupportedMediaType', 'PreconditionRequired'),
      },
    },
    delete: {
      operationId: 'deleteArticle',
      summary: 'Retracts the article (kept as a version; restore undoes it).',
      security: [{ bearerKey: ['delete', 'services', 'sections'] }],
      parameters: [param('IfMatch')],
      responses: { '204': { description: 'Deleted.' }, ...problems(...KEYED, 'NotFound', 'Conflict', 'PreconditionFailed', 'PreconditionRequired') },
    },
  },
  '/api/articles/{id}/versions': {
    parameters: [param('id')],
    get: { operationId: 'listVersions', summary: 'Every kept version of the article, oldest first.', responses: { '200': json('The versions.', 'VersionList'), ...problems(...KEYED, 'NotFound') } },
  },
  '/api/articles/{id}/versions/{n}': {
    parameters: [param('id'), param('n')],
    get: { operationId: 'getVersion', summary: 'One kept version with its record.', responses: { '200': json('The version.', 'KeptVersion', { ETag: header('ETag') }), ...problems(...KEYED, 'NotFound') } },
  },
  '/api/articles/{id}/restore': {
    parameters: [param('id')],
    post: {
      operationId: 'restoreVersion',
      summary: 'Stores version n again as a new version: 201 when it brings back a deleted story, 200 otherwise.',
      security: [{ bearerKey: ['services', 'sections'] }],
      parameters: [{ name: 'version', in: 'query', required: false, description: 'The version, instead of the body.', schema: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } }, param('IfMatch'), param('IfNoneMatchCreate')],
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1, maximum: 999_999_999 } } } } } },
      responses: {
        '200': json('Restored over the current record.', 'RestoredArticle', WRITE_HEADERS),
        '201': json('Restored a deleted story.', 'RestoredArticle', WRITE_HEADERS),
        ...problems(...KEYED, 'NotFound', 'Conflict', 'PreconditionFailed', 'TooLarge', 'PreconditionRequired'),
      },
    },
  },
  '/api/audit': {
    get: {
      operationId: 'readAudit',
      summary: 'The audit trail from `since`, oldest first, 1,000 entries a page.',
      security: [{ bearerKey: ['audit'] }],
      parameters: [{ name: 'since', in: 'query', required: false, description: 'An ISO 8601 date or date-time; without an offset, UTC.', schema: text() }],
      responses: { '200': json('A page of entries.', 'AuditPage'), ...problems(...KEYED) },
    },
  },
  '/api/stats': {
    get: {
      operationId: 'readStats',
      summary: 'Readership by UTC day and feed: subscriber estimates, requests, 304s, bytes, readers by kind; requests per partner. Answered when STATS is on (the default).',
      security: [{ bearerKey: ['stats'] }],
      parameters: [
        { name: 'from', in: 'query', required: false, description: 'First UTC day, YYYY-MM-DD (default: six days before `to`); at most 366 days from `to`.', schema: { type: 'string' } },
        { name: 'to', in: 'query', required: false, description: 'Last UTC day, YYYY-MM-DD (default: today).', schema: { type: 'string' } },
        { name: 'feed', in: 'query', required: false, description: 'One feed, as its path and file name (/rss.xml, /sections/korea/atom.xml).', schema: { type: 'string' } },
      ],
      responses: { '200': json('The report.', 'StatsReport'), ...problems(...KEYED) },
    },
  },
};

function text(): JsonSchema {
  return { type: 'string' };
}

/**
 * The OpenAPI 3.1 description of the ingest API, with the record schema
 * read from data/article.schema.json (not a copy). `prefix` is where the
 * app is mounted ('' at the root, '/feeds' under a host app), the server
 * the paths are relative to.
 */
export function buildOpenApiDocument(options: { readonly prefix?: string; readonly recordSchema?: JsonSchema } = {}): JsonSchema {
  const prefix = options.prefix ?? '';
  return {
    openapi: '3.1.1',
    info: {
      title: 'wirefeed ingest API',
      version: '1',
      description:
        'Push, correct and retract stories, read their versions and restore them, read the audit trail (docs/newsroom-writes.md). ' +
        'Every error is problem details (RFC 9457, application/problem+json). A method a path does not list is answered 405 with Allow, ' +
        'an unknown path under /api 404 (components.responses MethodNotAllowed and NotFound).',
    },
    ...(prefix === '' ? {} : { servers: [{ url: prefix }] }),
    security: [{ bearerKey: [] }],
    paths: PATHS,
    components: {
      schemas: { ...recordComponents(options.recordSchema ?? readRecordSchema(), RECORD_SCHEMA), ...RESPONSE_SCHEMAS },
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: PROBLEM_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
