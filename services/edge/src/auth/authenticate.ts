import {
  DispatchError,
  errors,
  tokenManagerRoles,
  type ApiPrincipal,
  type Principal,
  type Role,
  type SessionPrincipal,
} from '@dispatch/contracts';
import { metrics } from '@dispatch/runtime';
import type { EdgeContext, EdgeDeps } from '../http/context.js';
import { parseBearer } from './bearer.js';
import { clientIp, routeOf } from './client-ip.js';

/**
 * Authenticates the Bearer token through the token service. Fails closed: 401 for any token
 * that is not valid now, 503 when the token service cannot answer — never a pass.
 */
export async function authenticate(ctx: EdgeContext, deps: EdgeDeps): Promise<Principal> {
  const header = ctx.get('authorization') || undefined;
  const bearer = parseBearer(header);
  if (!bearer) {
    metrics.tokenValidations.inc({ result: header ? 'malformed' : 'missing', source: 'edge' });
    throw errors.unauthorized();
  }
  // A kid no token-service instance has: cannot be one of ours, refused without a call.
  if (deps.keys?.knows(bearer.kid) === false) {
    metrics.tokenValidations.inc({ result: 'unknown_key', source: 'edge' });
    ctx.state.logger.info({ reason: 'unknown_key' }, 'token rejected at the edge');
    throw errors.unauthorized();
  }
  let reply;
  try {
    reply = await deps.bus.request(
      'token.validate',
      { token: bearer.token, clientIp: clientIp(ctx), route: `${ctx.method} ${routeOf(ctx)}` },
      { timeoutMs: deps.config.busTimeoutMs, requestId: ctx.state.requestId },
    );
  } catch (err) {
    metrics.tokenValidations.inc({ result: 'unavailable', source: 'token-service' });
    if (err instanceof DispatchError && err.code !== 'SERVICE_UNAVAILABLE') {
      ctx.state.logger.error({ code: err.code }, 'token validation failed');
    }
    throw errors.unavailable('Authentication is temporarily unavailable, try again shortly');
  }
  metrics.tokenValidations.inc({ result: reply.valid ? 'valid' : reply.reason, source: 'token-service' });
  if (!reply.valid) {
    // A genuine but revoked/expired token: the attempt is recorded against it (forensics).
    if (reply.tokenId && reply.businessId) ctx.state.attribution = { tokenId: reply.tokenId, businessId: reply.businessId };
    ctx.state.logger.info({ reason: reply.reason }, 'token rejected');
    throw errors.unauthorized();
  }
  if (reply.principal.kind === 'api') ctx.state.attribution = { tokenId: reply.principal.tokenId, businessId: reply.principal.businessId };
  ctx.state.principal = reply.principal;
  return reply.principal;
}

/** A user session (portal login) with one of `roles`; API tokens get 403. */
export async function requireSession(ctx: EdgeContext, deps: EdgeDeps, roles?: readonly Role[]): Promise<SessionPrincipal> {
  const principal = await authenticate(ctx, deps);
  if (principal.kind !== 'session') {
    throw errors.forbidden('This endpoint needs a user session; API tokens cannot manage the account', 'wrong_token_type');
  }
  if (roles && !roles.includes(principal.role)) {
    throw errors.forbidden(`Your role (${principal.role}) does not allow this action`, 'insufficient_role');
  }
  return principal;
}

export const requireTokenManager = (ctx: EdgeContext, deps: EdgeDeps) => requireSession(ctx, deps, tokenManagerRoles);

/** An API token (server-to-server); user sessions get 403 on the business API. */
export async function requireApiToken(ctx: EdgeContext, deps: EdgeDeps): Promise<ApiPrincipal> {
  const principal = await authenticate(ctx, deps);
  if (principal.kind !== 'api') {
    throw errors.forbidden('The business API needs an API token; generate one in Settings > API Access', 'wrong_token_type');
  }
  return principal;
}
