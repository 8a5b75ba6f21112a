import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type express from 'express';

/** Serves an app on an ephemeral loopback port for the duration of a test. */
export async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
