import { buildOpenApiDocument, publicRoutes } from '@dispatch/contracts';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger } from '@dispatch/runtime';
import { describe, expect, it } from 'vitest';
import { createEdgeRouter } from '../app.js';
import { EdgeEnv, edgeConfigFromEnv } from '../config.js';

const logger = createLogger({ service: 'edge-test', level: 'silent' });
const config = edgeConfigFromEnv(EdgeEnv.parse({ NATS_URL: 'nats://127.0.0.1:4222', UPSTREAM_URL: 'http://127.0.0.1:9' }));
const router = createEdgeRouter({ bus: new MemoryBus(new MemoryHub(), 'openapi', logger), logger, config });

/** Every (method, path) the edge's router serves, in OpenAPI path syntax. */
function servedRoutes(): string[] {
  const served: string[] = [];
  for (const layer of router.stack) {
    if (layer.path instanceof RegExp || typeof layer.path !== 'string') {
      served.push('ANY /api/v1/{path}');
      continue;
    }
    const path = layer.path.replace(/:(\w+)/g, '{$1}');
    for (const method of layer.methods) if (method !== 'HEAD') served.push(`${method} ${path}`);
  }
  return served;
}

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> };

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every route the edge serves', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const missing = servedRoutes().filter((r) => (r.startsWith('ANY ') ? !documented.has(`GET ${r.slice(4)}`) : !documented.has(r)));
    expect(missing).toEqual([]);
  });

  it('documents no route the edge does not serve', () => {
    const served = new Set(servedRoutes());
    const extra = publicRoutes
      .filter((r) => !r.forwarded)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((r) => !served.has(r));
    expect(extra).toEqual([]);
  });

  it('describes request bodies from the contract schemas', () => {
    const register = document.paths['/api/user/register']?.['post'] as { requestBody: { content: Record<string, { schema: { required: string[]; additionalProperties: boolean } }> } };
    const body = register.requestBody.content['application/json']?.schema;
    expect(body?.required).toEqual(['email', 'password', 'confirmPassword', 'firstName', 'lastName', 'acceptedTerms']);
    expect(body?.additionalProperties).toBe(false);
  });
});
