import type { Router } from '@koa/router';
import type { EdgeDeps, EdgeState } from '../http/context.js';
import { ok, sendError } from '../http/envelope.js';

/** Liveness (the process answers) and readiness (the bus is connected and the token service answers). */
export function healthRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  router.get('/healthz', (ctx) => ok(ctx, { status: 'ok' }));
  router.get('/readyz', async (ctx) => {
    const bus = deps.bus.isConnected();
    const token = bus ? await deps.bus.request('token.ping', {}, { timeoutMs: 1000 }).then((r) => r.ready, () => false) : false;
    if (bus && token) return ok(ctx, { status: 'ready', checks: { bus, token } });
    sendError(ctx, 'SERVICE_UNAVAILABLE', 'Not ready', { checks: { bus, token } });
  });
}
