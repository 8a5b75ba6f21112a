import type express from 'express';

/** One route an app answers: its method (`all` for a route answering every method) and its path, with Express's `:id` as OpenAPI's `{id}`. */
export interface AppRoute {
  readonly method: string;
  readonly path: string;
}

interface Layer {
  readonly route?: { readonly path: string; readonly methods: Record<string, boolean> };
  readonly rawPath?: string;
  readonly handle: { readonly stack?: readonly Layer[] };
}

/**
 * Every route in the app's router and the routers mounted in it, with its
 * mount prefix: what the app actually answers, read from Express, not from
 * a list someone keeps. A mounted middleware that is not a router (a handler
 * on a path of its own) is listed as `use`, so it is not missed either.
 */
export function appRoutes(app: express.Express): AppRoute[] {
  const routes: AppRoute[] = [];
  const walk = (stack: readonly Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) routes.push({ method: method === '_all' ? 'all' : method, path });
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? `${prefix}${layer.rawPath}` : prefix);
      } else if (typeof layer.rawPath === 'string' && layer.rawPath !== '/' && layer.rawPath !== '*') {
        routes.push({ method: 'use', path: `${prefix}${layer.rawPath}` });
      }
    }
  };
  walk((app as unknown as { router: { stack: readonly Layer[] } }).router.stack, '');
  return routes;
}

/** The routes under /api. */
export function apiRoutes(app: express.Express): AppRoute[] {
  return appRoutes(app).filter((r) => r.path === '/api' || r.path.startsWith('/api/'));
}
