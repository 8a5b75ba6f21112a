import { Router } from 'express';
import type { Store } from '../store/store.js';

/** Seconds a client is told to wait while the store loads: a restart takes about a second, a first start a few. */
export const NOT_READY_RETRY_AFTER = 1;

/** Whether the store can answer reads with all of its data (a store without `ready` always can). */
export function storeReady(store: Store): boolean {
  return store.ready?.() ?? true;
}

/**
 * The readiness probe and the not-ready guard. `/readyz` answers 503 until
 * the store's first snapshot is complete, then 200: a load balancer or
 * Kubernetes sends traffic only then (docs/operations-probes.md). Until
 * then every other request but the liveness probe `/healthz` is answered
 * 503 with Retry-After and a short message, never from half the data.
 */
export function createReadiness(store: Store): Router {
  const router = Router();
  router.get('/readyz', (_req, res) => {
    const ready = storeReady(store);
    res.setHeader('Cache-Control', 'no-store');
    if (!ready) res.setHeader('Retry-After', String(NOT_READY_RETRY_AFTER));
    res.status(ready ? 200 : 503).json({ ready, backend: store.backend });
  });
  router.use((req, res, next) => {
    if (storeReady(store) || req.path === '/healthz') return next();
    res.setHeader('Retry-After', String(NOT_READY_RETRY_AFTER));
    res.setHeader('Cache-Control', 'no-store');
    res.status(503).type('text/plain; charset=utf-8').send('Starting up: the articles are still loading; try again in a moment.\n');
  });
  return router;
}
