import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isNotModified } from './conditional.js';

/** The one ETag recipe of every document this server sends: strong, base64url of the first 16 bytes of the SHA-256 of the exact bytes. */
export function strongEtag(bytes: Uint8Array): string {
  return `"${createHash('sha256').update(bytes).digest().subarray(0, 16).toString('base64url')}"`;
}

/** A response ready to send: its validators, the headers of a 200 and of a 304, and the body. */
export interface Reply {
  readonly etag: string;
  /** Last-Modified in whole seconds, when the document has one. */
  readonly lastModifiedSeconds?: number;
  readonly headers200: OutgoingHttpHeaders;
  readonly headers304: OutgoingHttpHeaders;
  readonly bytes: Buffer;
}

/**
 * The one writer of 200, 304 and HEAD answers, for the feed routes, the
 * fast path in front of Express, and the other cached documents: a
 * conditional request that matches (RFC 9110: If-None-Match first, else
 * If-Modified-Since) gets a 304 with the validators only; HEAD gets the
 * 200's headers, Content-Length included, and no body.
 */
export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const validators = { etag: reply.etag, ...(reply.lastModifiedSeconds === undefined ? {} : { lastModifiedSeconds: reply.lastModifiedSeconds }) };
  if (isNotModified({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, validators)) {
    res.writeHead(304, reply.headers304);
    res.end();
    return;
  }
  res.writeHead(200, reply.headers200);
  if (req.method === 'HEAD') res.end();
  else res.end(reply.bytes);
}
