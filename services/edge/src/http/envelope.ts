import { DispatchError, errorStatus, type ErrorCode } from '@dispatch/contracts';
import type { Next } from 'koa';
import type { EdgeContext } from './context.js';

/** Sets a success envelope. */
export function ok(ctx: EdgeContext, data: unknown, status = 200): void {
  ctx.status = status;
  ctx.body = { success: true, data };
}

export function sendError(ctx: EdgeContext, code: ErrorCode, message: string, details?: Record<string, unknown>): void {
  ctx.status = errorStatus[code];
  ctx.body = { success: false, error: { code, message, ...(details ? { details } : {}) } };
}

/**
 * The one error middleware: DispatchError → its status and envelope; anything else → 500
 * INTERNAL_ERROR, logged with the request id. Clients never see a stack trace.
 */
export async function errorEnvelope(ctx: EdgeContext, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      sendError(ctx, 'NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
    } else if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
      // The router answers 501 for a method it serves nowhere (TRACE, PROPFIND…): no route has it.
      if (ctx.response.get('Allow')) sendError(ctx, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
      else sendError(ctx, 'NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
    }
  } catch (err) {
    if (err instanceof DispatchError) {
      if (err.status >= 500) ctx.state.logger.warn({ code: err.code, error: err.message }, 'request failed');
      sendError(ctx, err.code, err.message, err.details);
      if (err.code === 'UNAUTHORIZED') ctx.set('WWW-Authenticate', 'Bearer');
      return;
    }
    ctx.state.logger.error({ err }, 'unhandled error');
    sendError(ctx, 'INTERNAL_ERROR', 'Internal server error');
  }
}
