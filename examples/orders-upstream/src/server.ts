import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * An example business API ("Orders") behind the edge. It trusts only the principal headers
 * the edge sets after authentication (`x-dispatch-business-id`, `x-dispatch-token-id`) and
 * refuses requests without them.
 */
export interface OrdersUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

const sampleOrders = (businessId: string) => [
  { id: 'ord_1001', businessId, status: 'delivered', total: 129.9, currency: 'EUR' },
  { id: 'ord_1002', businessId, status: 'in_transit', total: 54.0, currency: 'EUR' },
];

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function handleOrders(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const businessId = header(req, 'x-dispatch-business-id');
  const tokenId = header(req, 'x-dispatch-token-id');
  if (url.pathname === '/healthz') return send(res, 200, { success: true, data: { status: 'ok' } });
  if (!businessId || !tokenId) {
    return send(res, 401, { success: false, error: { code: 'UNAUTHORIZED', message: 'Invalid or expired authentication token' } });
  }
  const principal = { businessId, tokenId, requestId: header(req, 'x-request-id') ?? null };
  if (url.pathname === '/api/v1/Orders' && req.method === 'GET') {
    return send(res, 200, { success: true, data: { orders: sampleOrders(businessId), principal } });
  }
  if (url.pathname === '/api/v1/Echo') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      send(res, 200, {
        success: true,
        data: { method: req.method, query: Object.fromEntries(url.searchParams), body: Buffer.concat(chunks).toString('utf8'), principal },
      }),
    );
    return;
  }
  send(res, 404, { success: false, error: { code: 'NOT_FOUND', message: `No route ${req.method} ${url.pathname}` } });
}

export async function startOrdersUpstream(port = 0, host = '127.0.0.1'): Promise<OrdersUpstream> {
  const server: Server = createServer(handleOrders);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('orders upstream did not bind');
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
