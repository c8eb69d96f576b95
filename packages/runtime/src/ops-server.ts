import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { metrics } from './metrics.js';

export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OpsServer {
  port: number;
  close(): Promise<void>;
  /** Marks the service as stopping: readiness turns false so load balancers stop sending work. */
  setDraining(): void;
}

/**
 * A small HTTP server for operations on every service:
 * `GET /healthz` (alive), `GET /readyz` (every check passes: NATS, stores…) and `GET /metrics` (Prometheus).
 */
export async function startOpsServer(options: {
  port: number;
  host?: string;
  logger: Logger;
  checks: Record<string, ReadinessCheck>;
}): Promise<OpsServer> {
  let draining = false;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
        return;
      }
      if (path === '/readyz') {
        const results: Record<string, boolean> = {};
        for (const [name, check] of Object.entries(options.checks)) {
          try {
            results[name] = await check();
          } catch {
            results[name] = false;
          }
        }
        const ready = !draining && Object.values(results).every(Boolean);
        res
          .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: ready ? 'ready' : draining ? 'draining' : 'not_ready', checks: results }));
        return;
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
        return;
      }
      res.writeHead(404).end();
    })().catch((err: unknown) => {
      options.logger.error({ err }, 'ops endpoint failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = address && typeof address !== 'string' ? address.port : options.port;
  return {
    port,
    setDraining: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
