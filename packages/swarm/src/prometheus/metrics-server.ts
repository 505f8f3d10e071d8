import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSwarmMetrics, type MetricsSource } from './swarm-metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (the generator's own metrics, see `createSwarmMetrics`) on `host:port` for a headless run
 * (`--metrics-port`, `--metrics-host`, default 127.0.0.1), so the stack's Prometheus scrapes the generator while it
 * runs. Anything else is a 404; a method other than GET or HEAD a 405. Rejects when the port is taken.
 *
 * @example
 * const server = await startMetricsServer({ summary: () => latest }, { host: '127.0.0.1', port: 9646 });
 */
export async function startMetricsServer(
  source: MetricsSource,
  o: { host: string; port: number },
): Promise<MetricsServer> {
  const metrics = createSwarmMetrics(source);
  const server = createServer(async function serveMetrics(req, res) {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    try {
      const body = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
