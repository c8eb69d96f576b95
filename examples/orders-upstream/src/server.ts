import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AuthUnavailableError, type AuthClient } from '@dispatch/auth-client';

/**
 * An example business API ("Orders") behind the edge. It trusts only the principal headers
 * the edge sets after authentication (`x-dispatch-business-id`, `x-dispatch-token-id`) and
 * refuses requests without them. Given an auth client (NATS_URL set), it also verifies the
 * Bearer token itself with the token service and requires it to be the same principal
 * (defence in depth: a request that bypassed the edge with forged headers is refused).
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

export interface OrdersOptions {
  /** Verify the Bearer token too (in addition to the edge's principal headers). */
  authClient?: AuthClient;
}

const unauthorized = (res: ServerResponse) =>
  send(res, 401, { success: false, error: { code: 'UNAUTHORIZED', message: 'Invalid or expired authentication token' } });

/** The request handler; with `options.authClient` it verifies the token as well as the edge's headers. */
export function ordersHandler(options: OrdersOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, options).catch(() => {
      if (!res.headersSent) send(res, 500, { success: false, error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    });
  };
}

/** Without token verification (the edge's headers only). */
export const handleOrders = ordersHandler();

async function handle(req: IncomingMessage, res: ServerResponse, options: OrdersOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const businessId = header(req, 'x-dispatch-business-id');
  const tokenId = header(req, 'x-dispatch-token-id');
  if (url.pathname === '/healthz') return send(res, 200, { success: true, data: { status: 'ok' } });
  // A public endpoint (no principal): what an edge with EDGE_PUBLIC_PREFIX=/api/public/ forwards as-is.
  if (url.pathname === '/api/public/Orders' && req.method === 'GET') {
    return send(res, 200, { success: true, data: { orders: sampleOrders('public'), principal: null } });
  }
  if (!businessId || !tokenId) return unauthorized(res);
  let verifiedBy: 'edge-headers' | 'token-service' = 'edge-headers';
  if (options.authClient) {
    try {
      const verified = await options.authClient.authenticate(header(req, 'authorization'), {
        route: `${req.method ?? 'GET'} ${url.pathname}`,
        ...(header(req, 'x-forwarded-for') ? { clientIp: header(req, 'x-forwarded-for') } : {}),
      });
      if (verified.kind !== 'api' || verified.businessId !== businessId || verified.tokenId !== tokenId) return unauthorized(res);
      verifiedBy = 'token-service';
    } catch (err) {
      if (err instanceof AuthUnavailableError) {
        return send(res, 503, { success: false, error: { code: 'SERVICE_UNAVAILABLE', message: err.message } });
      }
      return unauthorized(res);
    }
  }
  const principal = { businessId, tokenId, requestId: header(req, 'x-request-id') ?? null, verifiedBy };
  if (url.pathname === '/api/v1/Orders') {
    if (req.method === 'GET') return send(res, 200, { success: true, data: { orders: sampleOrders(businessId), principal } });
    if (req.method === 'HEAD') {
      const json = JSON.stringify({ success: true, data: { orders: sampleOrders(businessId), principal } });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
      return void res.end();
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' });
      return void res.end();
    }
    res.setHeader('allow', 'GET, HEAD, OPTIONS');
    return send(res, 405, { success: false, error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on ${url.pathname}` } });
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

export async function startOrdersUpstream(port = 0, host = '127.0.0.1', options: OrdersOptions = {}): Promise<OrdersUpstream> {
  const server: Server = createServer(ordersHandler(options));
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
