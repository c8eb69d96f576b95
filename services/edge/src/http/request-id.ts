import { principalHeaders } from '@dispatch/contracts';
import { metrics, newId, type Logger } from '@dispatch/runtime';
import type { Next } from 'koa';
import type { EdgeContext } from './context.js';

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Gives each request an id (a sane client-sent one is kept), a child logger and an access log line. */
export const requestContext = (logger: Logger) => async (ctx: EdgeContext, next: Next) => {
  const incoming = ctx.get(principalHeaders.requestId);
  const requestId = REQUEST_ID.test(incoming) ? incoming : newId('req');
  ctx.state.requestId = requestId;
  ctx.state.logger = logger.child({ requestId });
  ctx.set('X-Request-Id', requestId);
  const started = performance.now();
  try {
    await next();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    // The matched route pattern, never the raw path (unbounded label values).
    const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
    const route = matched === undefined ? 'unmatched' : String(matched);
    metrics.httpRequests.inc({ method: ctx.method, route, status: String(ctx.status) });
    metrics.httpRequestDuration.observe({ method: ctx.method, route }, seconds);
    ctx.state.logger.info(
      { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      'request',
    );
  }
};

/** Conservative security headers for an API. */
export async function securityHeaders(ctx: EdgeContext, next: Next): Promise<void> {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  await next();
}
