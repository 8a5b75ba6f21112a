import type { ErrorRequestHandler, Request } from 'express';
import { problemOf, type ProblemDetails, type RecordProblem } from '../api-description/problem-details.js';
import type { ArticleError } from '../load/errors.js';
import { locateFields, positionOf, syntaxPosition, type TextPosition } from '../load/json-locate.js';
import { StoreConflictError, StorePreconditionError, StoreRecordError, StoreUnavailableError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { RefusalTally } from './anonymous-refusals.js';
import { actorOf } from './api-write-context.js';
import { HttpError, sendProblem } from './errors.js';

export function tooLargeMessage(maxBytes: number): string {
  return `The body is larger than ${maxBytes} bytes (INGEST_MAX_BYTES); nothing was written.`;
}

/**
 * A problem list in the API's answers: each problem with the line and column
 * of its field in `sent` (the request body), as `wirefeed lint` places it.
 */
export function problemsOf(errors: readonly ArticleError[], sent: Buffer | undefined): RecordProblem[] {
  let positions: ReadonlyMap<string, TextPosition> = new Map();
  if (errors.some((e) => e.field !== undefined) && sent !== undefined) {
    try {
      positions = locateFields(sent.toString('utf8'));
    } catch {
      // Not JSON: every problem is then a whole-record one, placed by its message.
    }
  }
  return errors.map((e) => {
    const where = e.field === undefined ? syntaxPosition(e.problem) : positionOf(positions, e.field);
    return { file: e.file, line: where.line, column: where.column, ...(e.field === undefined ? {} : { field: e.field }), problem: e.problem, message: e.message };
  });
}

/** The problem details and headers an error is answered with; undefined for an unexpected error (500, app.ts). */
function answerTo(error: unknown, maxBytes: number, sent: Buffer | undefined): { body: ProblemDetails; headers: Record<string, string> } | undefined {
  if (error instanceof StoreRecordError) return { body: problemOf(400, error.message, problemsOf(error.problems, sent)), headers: {} };
  if (error instanceof StoreConflictError) return { body: problemOf(409, error.message), headers: {} };
  if (error instanceof StorePreconditionError) return { body: problemOf(412, error.message), headers: error.currentEtag ? { ETag: error.currentEtag } : {} };
  if (error instanceof StoreUnavailableError) {
    return { body: problemOf(503, `${error.message}; nothing was written, try again shortly.`), headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof HttpError) return { body: problemOf(error.status, error.message), headers: { ...error.headers } };
  // body-parser's errors: entity.too.large (413), encoding.unsupported (415), request.aborted (400)…
  const status = (error as { status?: unknown }).status;
  if ((error as { type?: unknown }).type === 'entity.too.large') return { body: problemOf(413, tooLargeMessage(maxBytes)), headers: { Connection: 'close' } };
  if (typeof status === 'number' && status >= 400 && status < 500) return { body: problemOf(status, (error as Error).message), headers: {} };
  return undefined;
}

/** The article a write request names (PUT/DELETE /articles/:id, POST /articles/:id/restore); undefined for reads. */
function writtenId(req: Request): string | undefined {
  if (req.method !== 'PUT' && req.method !== 'DELETE' && req.method !== 'POST') return undefined;
  // Any length: a refused write with an id too long to be valid is still a write the API answered (URLs stop at 2,048 characters, guards.ts).
  const match = /^\/articles\/([^/]+?)(?:\/restore)?\/?$/.exec(req.path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    // A malformed escape is kept as sent: the refusal is still recorded.
    return match[1];
  }
}

/**
 * The API's error step: known errors become 4xx (503 when the backend is
 * down), each as problem details (RFC 9457) with the message as `detail`; a refused write is written to the audit
 * trail first (refusals are what an audit is most often read for).
 */
export function apiErrorHandler(store: Store, parts: { maxBytes: number; log: (line: string) => void; clock: () => Date; anonymous: RefusalTally }): ErrorRequestHandler {
  const { maxBytes, log } = parts;
  return async (error: unknown, req, res, next) => {
    const answer = answerTo(error, maxBytes, Buffer.isBuffer(req.body) ? req.body : undefined);
    const id = writtenId(req);
    if (id !== undefined) {
      const actor = actorOf(req, res);
      const reason = answer ? answer.body.detail.slice(0, 300) : 'failed (500)';
      const entry = { at: parts.clock(), keyId: actor.keyId, client: actor.client, method: req.method, id, status: answer?.body.status ?? 500, outcome: `refused: ${reason}` };
      // Without an accepted key, tallied per client and minute (anonymous-refusals.ts); with one, a line each.
      if (actor.keyId === null) parts.anonymous.record(entry);
      else await store.history.audit(entry).catch((auditError: Error) => log(`audit: could not record a refused ${req.method} of ${id}: ${auditError.message}`));
    }
    if (!answer) {
      next(error);
      return;
    }
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    sendProblem(res, answer.body);
  };
}
