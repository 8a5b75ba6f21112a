import http from 'node:http';
import type { RequestListener } from 'node:http';

/** Limits of the HTTP server itself, below Express: what a slow or oversized client may take. */
export interface ServerLimits {
  /** Longest request head (request line and headers) in bytes; more is answered 431. */
  readonly maxHeaderSize: number;
  /** Time a client has to send the whole request head; slower (slowloris) is answered 408 and closed. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed (e.g. a client that stops reading a response). */
  readonly idleTimeoutMs: number;
  /** Open connections at once; further ones are refused by the kernel-level accept and closed. */
  readonly maxConnections: number;
  /** How often node checks the header and request timeouts (its default, 30 s, would make them coarse). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
  checkIntervalMs: 1_000,
};

/**
 * The HTTP server main.ts listens with, limits set explicitly rather than
 * left to node's defaults (which change between versions): tests build it
 * the same way, with small timeouts.
 */
export function createServer(app: RequestListener, limits: Partial<ServerLimits> = {}): http.Server {
  const l = { ...DEFAULT_SERVER_LIMITS, ...limits };
  const server = http.createServer(
    {
      maxHeaderSize: l.maxHeaderSize,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    app,
  );
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
  server.setTimeout(l.idleTimeoutMs, (socket) => socket.destroy());
  return server;
}
