import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../src/api-description/openapi.js';
import { recordMismatches } from './openapi-mismatches.js';

/**
 * Every answer under /api checked against the OpenAPI document the server
 * serves (status, headers, body). `listen()` (server.ts) puts
 * `checkApiResponses` around every listener the tests serve, and
 * test/helpers/openapi-setup.ts fails the test in which an answer did not
 * match, so no API test can bypass the description.
 */
type Node = { readonly [key: string]: unknown };
type Found = { readonly value: Node; readonly pointer: string };

const DOCUMENT = buildOpenApiDocument() as Node;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(DOCUMENT, 'openapi.json');
const compiled = new Map<string, ValidateFunction>();

const escape = (part: string): string => part.replace(/~/g, '~0').replace(/\//g, '~1');

/** Follows a `$ref` inside the document (one level is all the document uses outside schemas). */
function resolve(found: Found): Found {
  const ref = found.value.$ref;
  if (typeof ref !== 'string') return found;
  const parts = ref.slice(2).split('/');
  let value: unknown = DOCUMENT;
  for (const part of parts) value = (value as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return { value: value as Node, pointer: ref.slice(1) };
}

function child(found: Found, key: string): Found | undefined {
  const value = found.value[key];
  return value === undefined || value === null ? undefined : resolve({ value: value as Node, pointer: `${found.pointer}/${escape(key)}` });
}

function validate(pointer: string, value: unknown): string[] {
  let check = compiled.get(pointer);
  if (check === undefined) {
    check = ajv.compile({ $ref: `openapi.json#${pointer}` });
    compiled.set(pointer, check);
  }
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const PATH_TEMPLATES = Object.keys(DOCUMENT.paths as Node).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literal: !template.includes('{'),
}));

/** The statuses the guards in front of every route may answer on any path, described or not. */
const ANY_PATH = ['BadRequest', 'UriTooLong', 'TooManyRequests', 'InternalError', 'Unavailable'];
/** The status of each shared response the fallbacks below use. */
const STATUS: Readonly<Record<string, string>> = { BadRequest: '400', Unauthorized: '401', Forbidden: '403', NotFound: '404', MethodNotAllowed: '405', UriTooLong: '414', TooManyRequests: '429', InternalError: '500', Unavailable: '503' };
const components = (names: readonly string[]): Node => Object.fromEntries(names.map((name) => [STATUS[name], { $ref: `#/components/responses/${name}` }]));

/** One answer as the server wrote it. */
export interface ApiExchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** What in the answer the document does not allow; empty when it matches. */
export function checkAgainstDocument(exchange: ApiExchange, described = true): string[] {
  const method = exchange.method === 'HEAD' ? 'get' : exchange.method.toLowerCase();
  const matches = described ? PATH_TEMPLATES.filter((p) => p.pattern.test(exchange.path)) : [];
  const template = (matches.find((m) => m.literal) ?? matches[0])?.template;
  const paths: Found = { value: DOCUMENT.paths as Node, pointer: '/paths' };
  const item = template === undefined ? undefined : child(paths, template);
  const operation = item === undefined ? undefined : child(item, method);
  // Not described: an unknown path is a 404 (a 405 for a write without the API) and an unknown method a 405, each a problem, unless a guard answered first.
  const responses: Found = operation
    ? (child(operation, 'responses') as Found)
    : { value: components(item === undefined ? [...ANY_PATH, 'NotFound', 'MethodNotAllowed'] : [...ANY_PATH, 'Unauthorized', 'Forbidden', 'MethodNotAllowed']), pointer: '' };
  const where = `${exchange.method} ${exchange.path} → ${exchange.status}`;
  const response = child(responses, String(exchange.status));
  if (response === undefined) return [`${where}: the document gives ${template ?? 'this path'} ${method} no ${exchange.status} answer`];
  const errors: string[] = [];
  const headers = child(response, 'headers');
  for (const name of Object.keys(headers?.value ?? {})) {
    const described = child(headers as Found, name) as Found;
    const actual = exchange.headers[name.toLowerCase()];
    if (actual === undefined) {
      if (described.value.required === true) errors.push(`${where}: header ${name} is required`);
      continue;
    }
    for (const e of validate(`${described.pointer}/schema`, String(actual))) errors.push(`${where}: header ${name}: ${e}`);
  }
  const content = child(response, 'content');
  const type = String(exchange.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (content === undefined) {
    if (exchange.body.length > 0) errors.push(`${where}: the document describes no body, got ${exchange.body.length} bytes`);
    return errors;
  }
  const media = child(content, type);
  if (media === undefined) return [...errors, `${where}: content type ${JSON.stringify(type)}, the document allows ${Object.keys(content.value).join(', ')}`];
  if (exchange.method === 'HEAD') return errors;
  let body: unknown;
  try {
    body = JSON.parse(exchange.body.toString('utf8'));
  } catch {
    return [...errors, `${where}: the body is not JSON: ${exchange.body.toString('utf8').slice(0, 200)}`];
  }
  for (const e of validate(`${media.pointer}/schema`, body)) errors.push(`${where}: ${e}`);
  return errors;
}

/**
 * The listener, with every answer to an /api request checked against the
 * document once it is written. `described` false: an app without the API
 * (no INGEST_TOKEN), whose /api answers are all refusals.
 */
export function checkApiResponses(listener: RequestListener, described = true): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== '/api' && !path.startsWith('/api/')) return listener(req, res);
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.on('finish', () => {
      recordMismatches(checkAgainstDocument({ method: req.method ?? 'GET', path, status: res.statusCode, headers: res.getHeaders(), body: Buffer.concat(chunks) }, described));
    });
    listener(req, res);
  };
}
