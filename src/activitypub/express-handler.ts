import { Readable } from 'node:stream';
import type { Federation } from '@fedify/fedify';
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from 'express';

/** The paths the federation answers; every other request goes straight on to the app's routes. */
const FEDERATION_PATH = /^\/(?:ap\/|\.well-known\/webfinger$)/;

/**
 * Express middleware in front of Fedify's fetch handler (what
 * @fedify/express does, in a few lines instead of a dependency): the
 * request becomes a web Request with its body streamed, Fedify's Response
 * is written back. What Fedify does not serve (not found, or HTML asked of
 * an actor) falls through to the app.
 */
export function federationHandler(federation: Federation<void>, baseUrl: string): RequestHandler {
  const origin = new URL(baseUrl).origin;
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (!FEDERATION_PATH.test(req.path)) {
      next();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const one of value) headers.append(name, one);
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    // The URL as the signer saw it: SITE_URL's origin (a proxy in front changes Host), with the request's path and query.
    const request = new Request(`${origin}${req.originalUrl}`, { method: req.method, headers, ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}) });
    let passed = false;
    const pass = () => {
      passed = true;
      next();
      return new Response(null, { status: 404 });
    };
    federation
      .fetch(request, { contextData: undefined, onNotFound: pass, onNotAcceptable: pass })
      .then(async (response) => {
        if (passed) return;
        res.status(response.status);
        response.headers.forEach((value, name) => res.append(name, value));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(next);
  };
}
