import { createServer, type Server } from 'node:http';
import { createEdgeApp } from './app.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { KeySet, startKeySync } from './auth/keys.js';
import type { EdgeDeps } from './http/context.js';
import { UsageRecorder } from './usage/usage-recorder.js';

export interface EdgeServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

export async function startEdgeServer(edgeDeps: EdgeDeps, port: number, host = '127.0.0.1'): Promise<EdgeServer> {
  const keysRefreshMs = edgeDeps.config.keysRefreshMs ?? 60_000;
  const instance = `edge-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const deps: EdgeDeps = {
    ...edgeDeps,
    keys: edgeDeps.keys ?? new KeySet(3 * keysRefreshMs),
    usage: edgeDeps.usage ?? new UsageRecorder(edgeDeps.bus, edgeDeps.logger.child({ component: 'usage' }), edgeDeps.config.usageFlushMs ?? 5000, instance),
  };
  const keySync = deps.keys && !edgeDeps.keys ? startKeySync(deps.bus, deps.keys, deps.logger.child({ component: 'keys' }), keysRefreshMs) : undefined;
  deps.usage?.start();
  const app = createEdgeApp(deps);
  const server = createServer(app.callback());
  // Requests Node's parser refuses never reach koa: answer them in the envelope too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason, code, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'Request headers are too large']
      : [400, 'Bad Request', 'VALIDATION_ERROR', 'Malformed HTTP request'];
    const body = JSON.stringify({ success: false, error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
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
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await keySync?.stop();
      // The last counts go out before the bus is drained.
      await deps.usage?.stop();
    },
  };
}
