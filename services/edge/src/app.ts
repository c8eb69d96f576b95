import { Router } from '@koa/router';
import Koa from 'koa';
import type { EdgeDeps, EdgeState } from './http/context.js';
import { errorEnvelope } from './http/envelope.js';
import { requestContext, securityHeaders } from './http/request-id.js';
import { healthRoutes } from './routes/health.js';
import { openApiRoutes } from './routes/openapi.js';
import { proxyRoutes } from './routes/proxy.js';
import { publicRoutes } from './routes/public.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/user.js';
import { usageMiddleware } from './usage/usage-middleware.js';

/** The public HTTP surface. Route order matters: token management before the /api/v1/* proxy. */
export function createEdgeRouter(deps: EdgeDeps): Router<EdgeState> {
  const router = new Router<EdgeState>();
  healthRoutes(router, deps);
  openApiRoutes(router);
  userRoutes(router, deps);
  tokenRoutes(router, deps);
  proxyRoutes(router, deps);
  publicRoutes(router, deps);
  return router;
}

export function createEdgeApp(deps: EdgeDeps): Koa<EdgeState> {
  const app = new Koa<EdgeState>({ proxy: false });
  app.silent = true;
  const router = createEdgeRouter(deps);
  app.use(requestContext(deps.logger));
  app.use(usageMiddleware(deps.usage));
  app.use(errorEnvelope);
  app.use(securityHeaders);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
