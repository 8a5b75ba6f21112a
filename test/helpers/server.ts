import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { WirefeedApp } from '../../src/http/app.js';
import { apiRoutes } from './api-routes.js';
import { checkApiResponses } from './openapi-check.js';

/** Serves what createApp built on an ephemeral loopback port for the duration of a test. */
export async function listen(built: Pick<WirefeedApp, 'listener'> & Partial<Pick<WirefeedApp, 'app'>>): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  // Served as main.ts serves it: through the listener, the fast path for repeat feed requests in front of the app.
  const server = await new Promise<Server>((resolve) => {
    // Every /api answer is checked against the OpenAPI document (openapi-check.ts); an app without the API has none of its routes.
    const described = built.app === undefined || apiRoutes(built.app).length > 0;
    const s = createServer(checkApiResponses(built.listener, described)).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
