import type { JsonSchema } from './record-schema.js';
import { READER_KINDS } from '../stats/user-agents.js';
import { INVALID_RECORD_TYPE, PROBLEM_MEDIA_TYPE } from './problem-details.js';

/** The name the record schema (data/article.schema.json) has in the document. */
export const RECORD_SCHEMA = 'ArticleRecord';

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const instant: JsonSchema = { type: 'string', format: 'date-time' };
const text: JsonSchema = { type: 'string' };
const count: JsonSchema = { type: 'integer', minimum: 0 };
const day: JsonSchema = { description: 'A UTC day.', type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' };

/** An article as the API shows it, with `more` fields beside (all required): one list of fields for every answer that holds one. */
function article(description: string, more: Record<string, JsonSchema>): JsonSchema {
  return {
    description,
    type: 'object',
    required: ['id', 'url', 'headline', 'body', 'published', 'updated', 'language', 'tags', 'credits', 'images', 'status', 'source', 'state', ...Object.keys(more)],
    additionalProperties: false,
    properties: {
      id: text, url: text, headline: text, summary: text, body: text, published: instant, updated: instant, timezone: text, language: text, service: text, section: text,
      tags: { type: 'array', items: text },
      credits: {
        type: 'array',
        items: { type: 'object', required: ['name', 'role', 'slug'], additionalProperties: false, properties: { name: text, role: text, organization: text, slug: text } },
      },
      images: {
        type: 'array',
        items: {
          type: 'object',
          required: ['url', 'type'],
          additionalProperties: false,
          properties: { url: text, caption: text, credit: text, alt: text, width: count, height: count, type: text, bytes: count, thumbnail: text },
        },
      },
      status: { enum: ['published', 'draft'] },
      translationOf: text,
      source: { description: "The record file, relative to the data folder's parent (data/articles/<id>.json for a new story).", type: 'string' },
      state: ref('ArticleState'),
      ...more,
    },
  };
}

const VERSION_FACTS: Record<string, JsonSchema> = {
  version: { type: 'integer', minimum: 1 },
  at: instant,
  keyId: { description: 'The key that wrote it; null for changes made outside the API.', type: ['string', 'null'] },
  action: { enum: ['existing', 'created', 'updated', 'deleted', 'restored'] },
  size: count,
  summary: text,
  etag: { description: "The record's ETag; null for a deletion.", type: ['string', 'null'] },
};

/** The API's answers, beside the record schema: what GET, PUT and the history routes send back. */
export const RESPONSE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  ArticleState: { description: 'draft; published but not yet visible (embargoed); visible (published).', enum: ['published', 'draft', 'embargoed'] },
  Article: article('A stored article as the loader resolved it: body sanitised, dates as instants, credits parsed.', {}),
  WrittenArticle: article('The stored article and the warnings about its record (unknown fields, ignored values).', { warnings: { type: 'array', items: ref('RecordProblem') } }),
  RestoredArticle: article('The stored article and the version it was restored from.', { restoredFrom: { type: 'integer', minimum: 1 } }),
  ArticleList: {
    type: 'object',
    required: ['status', 'version', 'count', 'articles'],
    additionalProperties: false,
    properties: {
      status: { enum: ['all', 'published', 'draft', 'embargoed'] },
      version: { description: "The store's data version: it moves on every change.", type: 'integer', minimum: 0 },
      count,
      articles: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'headline', 'state', 'published', 'updated', 'url', 'source'],
          additionalProperties: false,
          properties: { id: text, headline: text, state: ref('ArticleState'), published: instant, updated: instant, url: text, source: text },
        },
      },
    },
  },
  Version: { type: 'object', required: Object.keys(VERSION_FACTS), additionalProperties: false, properties: VERSION_FACTS },
  VersionList: {
    type: 'object',
    required: ['id', 'count', 'versions'],
    additionalProperties: false,
    properties: { id: text, count, versions: { type: 'array', items: ref('Version') } },
  },
  KeptVersion: {
    description: 'A version with its record: `record` is the JSON as written (null for a deletion, or when the kept text is not JSON: then `text` holds it).',
    type: 'object',
    required: ['id', ...Object.keys(VERSION_FACTS), 'record'],
    additionalProperties: false,
    properties: { id: text, ...VERSION_FACTS, record: {}, text },
  },
  AuditEntry: {
    type: 'object',
    required: ['at', 'keyId', 'client', 'method', 'id', 'status', 'outcome'],
    additionalProperties: false,
    properties: {
      at: instant,
      keyId: { type: ['string', 'null'] },
      client: text,
      method: text,
      id: text,
      status: { type: 'integer' },
      outcome: { description: 'created, updated, deleted, restored, or "refused: " and why.', type: 'string' },
      version: { type: 'integer', minimum: 1 },
      count: { description: 'Refusals without a key: how many this line stands for (one line per client and minute).', type: 'integer', minimum: 1 },
    },
  },
  AuditPage: {
    type: 'object',
    required: ['since', 'count', 'entries'],
    additionalProperties: false,
    properties: { since: instant, count, entries: { type: 'array', items: ref('AuditEntry') }, next: { description: 'The `since` of the next page; absent on the last.', ...instant } },
  },
  StatsReport: {
    description: 'Readership by day and feed (docs/readership.md): the estimates, and requests per partner.',
    type: 'object',
    required: ['from', 'to', 'days', 'partners'],
    additionalProperties: false,
    properties: {
      from: day,
      to: day,
      feed: { description: 'The feed asked for, when one was.', ...text },
      days: { type: 'array', items: ref('FeedDayReport') },
      partners: { type: 'array', items: { type: 'object', required: ['day', 'partner', 'requests'], additionalProperties: false, properties: { day, partner: text, requests: count } } },
    },
  },
  FeedDayReport: {
    type: 'object',
    required: ['day', 'feed', 'requests', 'ok', 'notModified', 'bytes', 'byKind', 'hosted', 'hostedSubscribers', 'individual', 'individual7d', 'subscribers'],
    additionalProperties: false,
    properties: {
      day,
      feed: text,
      requests: count,
      ok: count,
      notModified: count,
      bytes: count,
      byKind: { type: 'object', required: [...READER_KINDS], additionalProperties: false, properties: Object.fromEntries(READER_KINDS.map((kind) => [kind, count])) },
      hosted: { type: 'array', items: { type: 'object', required: ['fetcher', 'feedId', 'subscribers'], additionalProperties: false, properties: { fetcher: text, feedId: text, subscribers: count } } },
      hostedSubscribers: count,
      individual: { description: 'Distinct individual reader apps that day (HyperLogLog estimate).', ...count },
      individual7d: { description: 'The mean of `individual` over the 7 days ending this day.', type: 'number', minimum: 0 },
      subscribers: { description: 'hostedSubscribers + individual.', ...count },
    },
  },
  RecordProblem: {
    description: 'One problem with a record, in the fields `wirefeed lint --format json` reports.',
    type: 'object',
    required: ['file', 'line', 'column', 'problem', 'message'],
    additionalProperties: false,
    properties: { file: text, line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 }, field: { description: 'Absent for a problem with the whole record.', type: 'string' }, problem: text, message: text },
  },
  Problem: {
    description: `Problem details (RFC 9457). \`type\` is about:blank (the title is the status phrase), or ${INVALID_RECORD_TYPE} for a refused record, which lists every problem in \`problems\`.`,
    type: 'object',
    required: ['type', 'title', 'status', 'detail'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', format: 'uri-reference' },
      title: text,
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: text,
      problems: { type: 'array', items: ref('RecordProblem') },
    },
  },
};

const header = (description: string, schema: JsonSchema = text, required = false): JsonSchema => ({ description, required, schema });

/** Response headers, by name in the document. */
export const HEADERS: Readonly<Record<string, JsonSchema>> = {
  ETag: header('The stored record\'s ETag: send it back in If-Match to save an edit.', { type: 'string', pattern: '^"[^"]*"$' }),
  CurrentETag: header('The stored record\'s ETag now, when there is one: read the story again and merge.', { type: 'string', pattern: '^"[^"]*"$' }),
  Location: header('Where the new story is read.', text, true),
  WirefeedVersion: header('The number of the version this write kept.', { type: 'string', pattern: '^[1-9][0-9]*$' }),
  RetryAfter: header('Seconds after which a retry may succeed.', { type: 'string', pattern: '^[0-9]+$' }, true),
  WWWAuthenticate: header('The scheme: Bearer.', text, true),
  Allow: header('The methods this path answers.', text, true),
};

/** Request parameters, by name in the document. */
export const PARAMETERS: Readonly<Record<string, JsonSchema>> = {
  id: { name: 'id', in: 'path', required: true, description: "The article's id: lowercase letters, digits and single '-' between them (400 otherwise).", schema: { type: 'string', maxLength: 200 } },
  n: { name: 'n', in: 'path', required: true, description: 'A version number: a whole number from 1.', schema: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } },
  IfMatch: { name: 'If-Match', in: 'header', required: false, description: 'The ETag last read: the write is refused (412) when the story changed since. Required with REQUIRE_IF_MATCH (428 without).', schema: text },
  IfNoneMatchCreate: { name: 'If-None-Match', in: 'header', required: false, description: '`*`: create only, 412 when the id exists. Any other value is 400.', schema: { type: 'string', enum: ['*'] } },
};

const problem = (description: string, headers: Record<string, JsonSchema> = {}): JsonSchema => ({
  description,
  ...(Object.keys(headers).length > 0 ? { headers } : {}),
  content: { [PROBLEM_MEDIA_TYPE]: { schema: ref('Problem') } },
});
const headerRef = (name: string): JsonSchema => ({ $ref: `#/components/headers/${name}` });

/** Error answers, by status, shared by the operations that can give them. */
export const PROBLEM_RESPONSES: Readonly<Record<string, JsonSchema>> = {
  BadRequest: problem('The request is malformed: a bad id, parameter, precondition header or body (a refused record lists its problems), or a URL the guards refuse.'),
  Unauthorized: problem('No "Authorization: Bearer <key>".', { 'WWW-Authenticate': headerRef('WWWAuthenticate') }),
  Forbidden: problem('The key is not one this server accepts, or lacks the scope the request needs.'),
  NotFound: problem('No such article, version or endpoint.'),
  MethodNotAllowed: problem('The path does not answer this method.', { Allow: headerRef('Allow') }),
  Conflict: problem('The write would contradict what is stored (a file named for another id; restoring a deletion).'),
  PreconditionFailed: problem('If-Match named another version, or If-None-Match: * found the id; nothing was written.', { ETag: headerRef('CurrentETag') }),
  TooLarge: problem('The body is larger than INGEST_MAX_BYTES; nothing was written.'),
  UriTooLong: problem('The URL is longer than 2,048 characters.'),
  UnsupportedMediaType: problem('The body is not JSON in UTF-8.'),
  PreconditionRequired: problem('REQUIRE_IF_MATCH is on and the write names neither If-Match nor If-None-Match: *.'),
  TooManyRequests: problem('Over RATE_LIMIT requests per minute from this client.', { 'Retry-After': headerRef('RetryAfter') }),
  InternalError: problem('An unexpected error; the detail says which unless the server runs in production.'),
  Unavailable: problem('The store is loading or unreachable, or a write waited too long for a lock; nothing was written.', { 'Retry-After': headerRef('RetryAfter') }),
};

/** The bearer keys: INGEST_TOKEN, or one of KEYS_FILE's scoped keys. */
export const SECURITY_SCHEMES: Readonly<Record<string, JsonSchema>> = {
  bearerKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A key: INGEST_TOKEN, or a secret from `wirefeed keys add` (KEYS_FILE). Scopes, named in each operation\'s security requirement: ' +
      '`services` and `sections` limit which stories a key may write (both the stored story and the one sent must be in scope, 403 otherwise); ' +
      '`delete` lets it DELETE; `audit` lets it read GET /api/audit; `stats` lets it read GET /api/stats. INGEST_TOKEN has every scope. Other reads are open to every key.',
  },
};
