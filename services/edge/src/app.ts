import { Router } from '@koa/router';
import { portalDir, portalPages } from '@dispatch/portal';
import Koa from 'koa';
import type { EdgeDeps, EdgeState } from './http/context.js';
import { errorEnvelope } from './http/envelope.js';
import { requestContext, securityHeaders } from './http/request-id.js';
import { alertRoutes } from './routes/alerts.js';
import { healthRoutes } from './routes/health.js';
import { openApiRoutes } from './routes/openapi.js';
import { portalMiddleware } from './routes/portal.js';
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
  alertRoutes(router, deps);
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
  if (deps.config.portalDir !== null) {
    app.use(portalMiddleware({ dir: deps.config.portalDir ?? portalDir, pages: portalPages }, deps.logger.child({ component: 'portal' })));
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
