import type { Request, Response } from 'express';
import type { WriteOptions } from '../store/versions.js';
import { scopeCheck, type ApiKey } from './api-keys.js';
import { HttpError } from './errors.js';

/** The key the request was authenticated with (set by the API's first step). */
export function keyOf(res: Response): ApiKey | undefined {
  return res.locals.apiKey as ApiKey | undefined;
}

/** Who is writing, for versions and the audit trail: the key's id (never its secret) and the client's address. */
export function actorOf(req: Request, res: Response): NonNullable<WriteOptions['actor']> {
  return { keyId: keyOf(res)?.id ?? null, client: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
}

/**
 * A write's preconditions and scope from its request: If-Match,
 * If-None-Match: * (PUT only), and with REQUIRE_IF_MATCH a 428 for a write
 * that names neither, so an editor cannot overwrite a story they never read.
 */
export function writeOptionsOf(req: Request, res: Response, options: { readonly requireIfMatch: boolean; readonly creating: boolean }): WriteOptions {
  const ifMatch = req.get('if-match');
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch !== undefined && (!options.creating || ifNoneMatch.trim() !== '*')) {
    throw new HttpError(400, `If-None-Match on a write can only be "*" on PUT (create only), got ${JSON.stringify(ifNoneMatch.slice(0, 100))}.`);
  }
  const createOnly = ifNoneMatch !== undefined;
  if (options.requireIfMatch && ifMatch === undefined && !createOnly) {
    throw new HttpError(
      428,
      options.creating
        ? 'This server requires If-Match (REQUIRE_IF_MATCH): send the ETag from GET /api/articles/{id}, or If-None-Match: * to create a new story.'
        : 'This server requires If-Match (REQUIRE_IF_MATCH): send the ETag from GET /api/articles/{id}.',
    );
  }
  const key = keyOf(res);
  return {
    ...(ifMatch === undefined ? {} : { ifMatch }),
    ...(createOnly ? { createOnly } : {}),
    actor: actorOf(req, res),
    ...(key ? { authorize: scopeCheck(key) } : {}),
  };
}
