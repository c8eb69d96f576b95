import type { Next } from 'koa';
import { clientIp, routeOf } from '../auth/client-ip.js';
import type { EdgeContext } from '../http/context.js';
import type { UsageRecorder } from './usage-recorder.js';

/**
 * Records every request attributed to an API token — allowed, refused (403, 429, 4xx/5xx) and
 * attempts with a revoked or expired token (401) — with its final status. Runs outside the
 * error envelope, so it sees the status the client gets. In memory only; never blocks.
 */
export const usageMiddleware = (usage: UsageRecorder | undefined) => async (ctx: EdgeContext, next: Next) => {
  try {
    await next();
  } finally {
    const who = ctx.state.attribution;
    if (usage && who) {
      usage.record({ ...who, method: ctx.method, route: routeOf(ctx), status: ctx.status, ip: clientIp(ctx), at: new Date() });
    }
  }
};
