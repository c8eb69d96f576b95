import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger } from '@dispatch/runtime';
import { startEdgeServer, type EdgeServer } from './server.js';

let edge: EdgeServer;
beforeAll(async () => {
  const logger = createLogger({ service: 'edge-test', level: 'silent' });
  edge = await startEdgeServer(
    {
      bus: new MemoryBus(new MemoryHub(), 'edgetest', logger),
      logger,
      config: {
        upstreamUrl: 'http://127.0.0.1:9',
        rateLimit: { limit: 10, windowSeconds: 60, failurePolicy: 'open' },
        bodyLimitBytes: 1024,
        busTimeoutMs: 500,
        upstreamTimeoutMs: 1000,
      },
    },
    0,
  );
});
afterAll(() => edge.close());

function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(edge.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('requests the HTTP parser refuses still get the envelope', () => {
  it('oversized headers → 431 HEADERS_TOO_LARGE', async () => {
    const res = await raw(`GET /api/v1/Orders HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res).toMatch(/^HTTP\/1.1 431 /);
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toEqual({
      success: false,
      error: { code: 'HEADERS_TOO_LARGE', message: 'Request headers are too large' },
    });
  });

  it('a malformed request line → 400 VALIDATION_ERROR', async () => {
    const res = await raw('GARBAGE\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1.1 400 /);
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)).error.code).toBe('VALIDATION_ERROR');
  });
});

describe('405 names the allowed methods (RFC 9110 Allow)', () => {
  const call = (method: string, path: string) => fetch(`${edge.url}${path}`, { method });

  it.each([
    ['PUT', '/api/v1/tokens', ['GET', 'POST']],
    ['POST', '/api/v1/audit', ['GET']],
    ['GET', '/api/v1/tokens/tok_00000000000000000000000000/rotate', ['POST']],
    ['POST', '/api/v1/alerts', ['GET']],
    ['POST', '/api/v1/alerts/webhook', ['GET', 'PUT', 'DELETE']],
  ])('%s %s on an edge-owned path → 405 with Allow: %j', async (method, path, allowed) => {
    const res = await call(method, path);
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    const allow = (res.headers.get('allow') ?? '').split(/,\s*/);
    for (const m of allowed) expect(allow).toContain(m);
    expect(allow).not.toContain(method);
  });

  it('a method the proxy never forwards → 405 with the forwarded methods', async () => {
    const res = await call('PROPFIND', '/api/v1/Orders');
    expect(res.status).toBe(405);
    expect((res.headers.get('allow') ?? '').split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
  });

  it('a known edge route with another method → 405 with Allow', async () => {
    const res = await call('GET', '/api/user/login');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
