import type { RequestListener } from 'node:http';
import type { Metrics } from '../observe/metrics.js';

/**
 * GET /metrics in the Prometheus text format: a plain request listener, so
 * the same handler serves on the app (Express calls it like one) and alone
 * on METRICS_PORT. Not cacheable: every scrape must see the counts of now.
 */
export function metricsHandler(metrics: Metrics): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: metrics are at /metrics.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Only GET and HEAD are allowed here.\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Metrics could not be collected: ${(error as Error).message}\n`);
      },
    );
  };
}
