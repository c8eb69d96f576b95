import { DispatchError } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import type { EdgeDeps, EdgeState } from '../http/context.js';
import { forward, upstreamTarget } from './proxy.js';

const PUBLIC_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Forward-only route (EDGE_PUBLIC_PREFIX, see config.ts) under `deps.config.publicPrefix`; registers nothing when the prefix is unset. */
export function publicRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const prefix = deps.config.publicPrefix;
  if (!prefix) return;
  router.all(new RegExp(`^${escapeRegExp(prefix)}`), async (ctx) => {
    if (!PUBLIC_METHODS.has(ctx.method)) throw new DispatchError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
    if (!upstreamTarget(deps.config.upstreamUrl, ctx.originalUrl, prefix)) {
      throw new DispatchError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
    }
    await forward(ctx, deps, undefined, prefix);
  });
}
