import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { clientKey } from './rate-limit.js';

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
  /**
   * Open connections one client (IPv4 address or IPv6 /64) may hold; 0 = no
   * cap. Without it, 1,100 sockets from one address that each send half a
   * request head and hang held the whole maxConnections cap until the header
   * timeout, and every other client was reset.
   */
  readonly maxConnectionsPerClient: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
  checkIntervalMs: 1_000,
  maxConnectionsPerClient: 64,
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
  if (l.maxConnectionsPerClient > 0) capConnectionsPerClient(server, l.maxConnectionsPerClient);
  return server;
}

/** A client over its cap gets one plain 429 and the connection is closed; its other connections are untouched. */
const OVER_CAP = Buffer.from(
  'HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 70\r\n\r\nToo many open connections from your address; close some and try again.',
);

/** Counts open connections per client key and refuses those over `cap` as they arrive, before any byte is read. */
function capConnectionsPerClient(server: http.Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress);
    const count = (open.get(key) ?? 0) + 1;
    if (count > cap) {
      socket.end(OVER_CAP);
      socket.setTimeout(1_000, () => socket.destroy());
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
