import { createServer, type Server } from 'node:http';
import { createEdgeApp } from './app.js';
import type { EdgeDeps } from './http/context.js';

export interface EdgeServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export async function startEdgeServer(deps: EdgeDeps, port: number, host = '127.0.0.1'): Promise<EdgeServer> {
  const app = createEdgeApp(deps);
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('edge did not bind');
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
