import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createServer, type ServerLimits } from '../../src/http/server.js';
import { createSnapshotStore } from '../../src/store/files/files-store.js';
import { makeRecord, makeSnapshot } from '../helpers/builders.js';

/**
 * Slowloris-style clients, with raw sockets: the server (built by the same
 * createServer main.ts uses, with small timeouts here) closes them on its
 * own, and keeps serving everyone else meanwhile.
 */
const LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 400, idleTimeoutMs: 5_000, checkIntervalMs: 100 };
/** A trickling client would need this long to finish its head; the server must close it well before. */
const TRICKLE_MS = 20_000;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function start(limits: Partial<ServerLimits> = LIMITS): Promise<{ port: number; server: http.Server }> {
  const server = createServer(createApp({ store: createSnapshotStore(makeSnapshot([makeRecord()])), production: true, log: () => {} }).listener, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, server };
}

/** Opens a socket that sends a request head one header every 150 ms, forever; resolves with what the server sent when it closes the socket. */
function trickle(port: number, firstLine = 'GET /rss.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n'): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let n = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${n++}: ${'a'.repeat(5)}\r\n`);
    }, 150);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server kept a trickling client for ${TRICKLE_MS} ms`));
    }, TRICKLE_MS);
    cleanup.push(() => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
    });
    socket.on('connect', () => socket.write(firstLine));
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('slow clients', () => {
  it('a client trickling header bytes is answered 408 and closed by the headers timeout', async () => {
    const { port } = await start();
    const { received } = await trickle(port);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('twenty trickling clients at once do not stop the server answering others', async () => {
    const { port } = await start();
    const slow = Array.from({ length: 20 }, () => trickle(port));
    const served: number[] = [];
    for (let i = 0; i < 5; i++) {
      served.push(await get(port, '/rss.xml'));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(served).toEqual([200, 200, 200, 200, 200]);
    const results = await Promise.all(slow);
    for (const r of results) expect(r.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a client that sends its head but trickles a declared body is cut off by the request timeout', async () => {
    const { port } = await start();
    const { received } = await trickle(port, 'POST /rss.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n');
    // Either the 405 came first (the app answers before reading the body) or the 408: never a hang.
    expect(received).toMatch(/^HTTP\/1\.1 (405|408) /);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { port } = await start();
    const closed = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.on('close', () => resolve(received));
      cleanup.push(() => socket.destroy());
    });
    expect(closed).toMatch(/^HTTP\/1\.1 200 /);
    expect(closed).toMatch(/Keep-Alive: timeout=0?\.?\d*/i);
  });

  it('connections over the cap are refused while the others are served', async () => {
    const { port } = await start({ ...LIMITS, headersTimeoutMs: 5_000, requestTimeoutMs: 5_000, maxConnections: 3 });
    const holders = await Promise.all(
      Array.from({ length: 3 }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.on('error', () => {});
        cleanup.push(() => s.destroy());
      })),
    );
    await new Promise((r) => setTimeout(r, 100));
    await expect(get(port, '/healthz')).rejects.toThrow(/socket hang up|ECONNRESET/);
    for (const s of holders) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await get(port, '/healthz')).toBe(200);
  });
});

describe('connections per client', () => {
  /** A socket from `localAddress` that sends half a request head and hangs; resolves with what the server sent, once it closes or after `waitMs`. */
  function hang(port: number, localAddress: string, waitMs: number): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      let received = '';
      const timer = setTimeout(() => resolve(received), waitMs);
      cleanup.push(() => {
        clearTimeout(timer);
        socket.destroy();
      });
      socket.on('connect', () => socket.write('GET /rss.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: '));
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
    });
  }

  function getFrom(port: number, localAddress: string): Promise<number> {
    return new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/rss.xml', agent: false, localAddress }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', () => resolve(0));
    });
  }

  it('one address holding half-sent requests cannot take every connection: over its cap it gets 429, others are served', async () => {
    const { port } = await start({ ...LIMITS, headersTimeoutMs: 8_000, requestTimeoutMs: 9_000, maxConnections: 30, maxConnectionsPerClient: 10 });
    const attack = Array.from({ length: 40 }, () => hang(port, '127.0.0.1', 1_500));
    await new Promise((r) => setTimeout(r, 300));
    // Another client (another loopback address) is served while the attacker's sockets hang.
    const others = await Promise.all(Array.from({ length: 5 }, () => getFrom(port, '127.0.0.2')));
    expect(others).toEqual([200, 200, 200, 200, 200]);
    const answers = await Promise.all(attack);
    const refused = answers.filter((a) => a.startsWith('HTTP/1.1 429 '));
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(answers.filter((a) => a === '')).toHaveLength(10);
  });

  it('MAX_CONNECTIONS_PER_CLIENT: 64 by default, 0 (off) behind a trusted proxy, any value when set', async () => {
    const { loadConfig } = await import('../../src/config/config.js');
    expect(loadConfig({}).maxConnectionsPerClient).toBe(64);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).maxConnectionsPerClient).toBe(0);
    expect(loadConfig({ TRUST_PROXY: 'loopback', MAX_CONNECTIONS_PER_CLIENT: '500' }).maxConnectionsPerClient).toBe(500);
    expect(() => loadConfig({ MAX_CONNECTIONS_PER_CLIENT: 'many' })).toThrow(/MAX_CONNECTIONS_PER_CLIENT/);
  });
});
