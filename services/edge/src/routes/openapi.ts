import { buildOpenApiDocument } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import type { EdgeState } from '../http/context.js';

/** GET /openapi.json: the OpenAPI 3.1 document of this API, generated from packages/contracts. */
export function openApiRoutes(router: Router<EdgeState>): void {
  const document = JSON.stringify(buildOpenApiDocument());
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = document;
  });
}
