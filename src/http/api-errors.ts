import type { ErrorRequestHandler, Request } from 'express';
import type { ArticleError } from '../load/errors.js';
import { StoreConflictError, StorePreconditionError, StoreRecordError, StoreUnavailableError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { actorOf } from './api-write-context.js';
import { HttpError } from './errors.js';

export function tooLargeMessage(maxBytes: number): string {
  return `The body is larger than ${maxBytes} bytes (INGEST_MAX_BYTES); nothing was written.`;
}

/** A problem list in the API's error bodies. */
export function problemsOf(errors: readonly ArticleError[]): ReturnType<ArticleError['toJSON']>[] {
  return errors.map((e) => e.toJSON());
}

/** The status and JSON body an error is answered with; undefined for an unexpected error (500, app.ts). */
function answerTo(error: unknown, maxBytes: number): { status: number; body: Record<string, unknown>; headers: Record<string, string> } | undefined {
  if (error instanceof StoreRecordError) return { status: 400, body: { error: error.message, problems: problemsOf(error.problems) }, headers: {} };
  if (error instanceof StoreConflictError) return { status: 409, body: { error: error.message }, headers: {} };
  if (error instanceof StorePreconditionError) return { status: 412, body: { error: error.message }, headers: error.currentEtag ? { ETag: error.currentEtag } : {} };
  if (error instanceof StoreUnavailableError) {
    return { status: 503, body: { error: `${error.message}; nothing was written, try again shortly.` }, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  }
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message }, headers: { ...error.headers } };
  // body-parser's errors: entity.too.large (413), encoding.unsupported (415), request.aborted (400)…
  const status = (error as { status?: unknown }).status;
  if ((error as { type?: unknown }).type === 'entity.too.large') return { status: 413, body: { error: tooLargeMessage(maxBytes) }, headers: { Connection: 'close' } };
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, body: { error: (error as Error).message }, headers: {} };
  return undefined;
}

/** The article a write request names (PUT/DELETE /articles/:id, POST /articles/:id/restore); undefined for reads. */
function writtenId(req: Request): string | undefined {
  if (req.method !== 'PUT' && req.method !== 'DELETE' && req.method !== 'POST') return undefined;
  const match = /^\/articles\/([^/]{1,200})(?:\/restore)?\/?$/.exec(req.path);
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
 * down), each with a JSON message; a refused write is written to the audit
 * trail first (refusals are what an audit is most often read for).
 */
export function apiErrorHandler(store: Store, maxBytes: number, log: (line: string) => void, clock: () => Date = () => new Date()): ErrorRequestHandler {
  return async (error: unknown, req, res, next) => {
    const answer = answerTo(error, maxBytes);
    const id = writtenId(req);
    if (id !== undefined) {
      const actor = actorOf(req, res);
      const reason = answer ? String(answer.body.error).slice(0, 300) : 'failed (500)';
      await store.history
        // The app's clock, as the store's stored writes use: one time line for the whole audit trail.
        .audit({ at: clock(), keyId: actor.keyId, client: actor.client, method: req.method, id, status: answer?.status ?? 500, outcome: `refused: ${reason}` })
        .catch((auditError: Error) => log(`audit: could not record a refused ${req.method} of ${id}: ${auditError.message}`));
    }
    if (!answer) {
      next(error);
      return;
    }
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  };
}
