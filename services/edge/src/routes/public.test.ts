import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger } from '@dispatch/runtime';
import { EdgeEnv, type EdgeConfig } from '../config.js';
import { startEdgeServer, type EdgeServer } from '../server.js';

/** A real upstream that records what reaches it. */
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let upstream: Server;
let upstreamUrl = '';
const edges: EdgeServer[] = [];

const startEdge = async (extra: Partial<EdgeConfig>): Promise<EdgeServer> => {
  const logger = createLogger({ service: 'edge-test', level: 'silent' });
  const edge = await startEdgeServer(
    {
      bus: new MemoryBus(new MemoryHub(), 'publictest', logger),
      logger,
      config: {
        upstreamUrl,
        rateLimit: { limit: 10, windowSeconds: 60, failurePolicy: 'open' },
        bodyLimitBytes: 1024,
        busTimeoutMs: 500,
        upstreamTimeoutMs: 2000,
        ...extra,
      },
    },
    0,
  );
  edges.push(edge);
  return edge;
};

const rawGet = (port: number, path: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: true, data: { path: req.url } }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const address = upstream.address();
  if (!address || typeof address === 'string') throw new Error('no upstream port');
  upstreamUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await Promise.all(edges.map((e) => e.close()));
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('EDGE_PUBLIC_PREFIX: a forward-only route, off by default', () => {
  it('is off by default: 404 NOT_FOUND and nothing reaches the upstream', async () => {
    const edge = await startEdge({});
    const before = seen.length;
    const res = await fetch(`${edge.url}/api/public/Orders`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(seen.length).toBe(before);
  });

  it('when set, forwards path and query without a token, and strips client-sent principal headers', async () => {
    const edge = await startEdge({ publicPrefix: '/api/public/' });
    const res = await fetch(`${edge.url}/api/public/Orders?page=2`, {
      headers: { 'x-dispatch-business-id': 'biz_forged', 'x-dispatch-token-id': 'tok_forged', 'x-dispatch-principal-type': 'api' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { path: '/api/public/Orders?page=2' } });
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    const last = seen[seen.length - 1];
    expect(last?.url).toBe('/api/public/Orders?page=2');
    expect(Object.keys(last?.headers ?? {}).filter((h) => h.startsWith('x-dispatch-'))).toEqual([]);
  });

  it('when set, the business API under /api/v1 still needs a token (401), and dot segments never leave the prefix (404)', async () => {
    const edge = await startEdge({ publicPrefix: '/api/public/' });
    const before = seen.length;
    const v1 = await fetch(`${edge.url}/api/v1/Orders`);
    expect(v1.status).toBe(401);
    // Sent as-is (fetch would normalise the dot segments away before sending).
    for (const path of ['/api/public/%2e%2e/v1/Orders', '/api/public/../v1/Orders', '/api/public//Orders']) {
      const escape = await rawGet(edge.port, path);
      expect(escape.status).toBe(404);
      expect(JSON.parse(escape.body).error.code).toBe('NOT_FOUND');
    }
    expect(seen.length).toBe(before);
  });
});

describe('EDGE_PUBLIC_PREFIX validation', () => {
  const base = { NATS_URL: 'nats://127.0.0.1:4222', UPSTREAM_URL: 'http://127.0.0.1:9000' };
  it.each(['/api/', '/api/v1/', '/api/v1/public/', '/api/user/', '/', 'api/public/', '/api/public', '/API/Public/', '/healthz/'])(
    'refuses %s',
    (prefix) => {
      expect(EdgeEnv.safeParse({ ...base, EDGE_PUBLIC_PREFIX: prefix }).success).toBe(false);
    },
  );
  it('accepts /api/public/ and defaults to off', () => {
    expect(EdgeEnv.parse({ ...base, EDGE_PUBLIC_PREFIX: '/api/public/' }).EDGE_PUBLIC_PREFIX).toBe('/api/public/');
    expect(EdgeEnv.parse(base).EDGE_PUBLIC_PREFIX).toBe('');
  });
});
