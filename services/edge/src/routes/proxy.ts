import { DispatchError, principalHeaderPrefix, principalHeaders, rateLimitHeaders, type ApiPrincipal } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { Readable } from 'node:stream';
import { requireApiToken } from '../auth/authenticate.js';
import type { EdgeContext, EdgeDeps, EdgeState } from '../http/context.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and others the edge owns; never forwarded either way. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * Applies the token's rate limit. Sets the X-RateLimit-* headers on every response it decides,
 * 429 included. When the rate-limit service cannot answer, the configured policy decides:
 * `open` (default) lets the request through without headers, `closed` answers 503.
 */
async function applyRateLimit(ctx: EdgeContext, deps: EdgeDeps, principal: ApiPrincipal): Promise<void> {
  const { limit, windowSeconds, failurePolicy } = deps.config.rateLimit;
  let decision;
  try {
    decision = await deps.bus.request(
      'ratelimit.consume',
      { key: `tok:${principal.tokenId}`, limit, windowSeconds },
      { requestId: ctx.state.requestId, timeoutMs: deps.config.busTimeoutMs },
    );
  } catch (err) {
    ctx.state.logger.warn({ code: err instanceof DispatchError ? err.code : 'UNKNOWN', failurePolicy }, 'rate limit unavailable');
    if (failurePolicy === 'closed') throw new DispatchError('SERVICE_UNAVAILABLE', 'Rate limiting is temporarily unavailable, try again shortly');
    return;
  }
  ctx.set(rateLimitHeaders.limit, String(decision.limit));
  ctx.set(rateLimitHeaders.remaining, String(decision.remaining));
  ctx.set(rateLimitHeaders.reset, String(decision.resetAt));
  if (!decision.allowed) {
    ctx.set(rateLimitHeaders.retryAfter, String(decision.retryAfterSeconds));
    throw new DispatchError('RATE_LIMITED', `Rate limit of ${decision.limit} requests exceeded; retry after ${decision.retryAfterSeconds} s`, {
      limit: decision.limit,
      resetAt: decision.resetAt,
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

/** Copies client headers for the upstream, minus hop-by-hop ones and any client-sent principal headers. */
function upstreamHeaders(ctx: EdgeContext, principal: ApiPrincipal): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(ctx.request.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || lower.startsWith(principalHeaderPrefix) || lower === principalHeaders.requestId) continue;
    headers.set(lower, Array.isArray(value) ? value.join(', ') : value);
  }
  headers.set(principalHeaders.businessId, principal.businessId);
  headers.set(principalHeaders.tokenId, principal.tokenId);
  headers.set(principalHeaders.principalType, principal.kind);
  headers.set(principalHeaders.requestId, ctx.state.requestId);
  headers.set('x-forwarded-for', ctx.ip);
  headers.set('x-forwarded-proto', ctx.protocol);
  return headers;
}

async function forward(ctx: EdgeContext, deps: EdgeDeps, principal: ApiPrincipal): Promise<void> {
  const target = new URL(ctx.originalUrl, deps.config.upstreamUrl);
  const hasBody = !['GET', 'HEAD'].includes(ctx.method);
  let response: Response;
  try {
    response = await fetch(target, {
      method: ctx.method,
      headers: upstreamHeaders(ctx, principal),
      body: hasBody ? (Readable.toWeb(ctx.req) as ReadableStream<Uint8Array>) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.config.upstreamTimeoutMs),
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    ctx.state.logger.warn({ err: (err as Error).message, upstream: target.origin }, 'upstream unreachable');
    throw new DispatchError('UPSTREAM_ERROR', 'The upstream API did not answer');
  }
  ctx.status = response.status;
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') ctx.set(name, value);
  });
  ctx.body = Buffer.from(await response.arrayBuffer());
}

/**
 * Every other /api/v1/* path is business data: authenticate the API token, apply its rate
 * limit, forward to the upstream with the verified principal.
 */
export function proxyRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  router.all(/^\/api\/v1\/.*/, async (ctx) => {
    const principal = await requireApiToken(ctx, deps);
    await applyRateLimit(ctx, deps, principal);
    await forward(ctx, deps, principal);
  });
}
