import {
  COUNT_ONLY_LIMIT,
  DispatchError,
  principalHeaderPrefix,
  principalHeaders,
  rateLimitHeaders,
  scopesAllow,
  type ApiPrincipal,
  type PrincipalRateLimit,
  type RateLimitDecision,
  usedOf,
} from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { metrics } from '@dispatch/runtime';
import { Readable, Transform } from 'node:stream';
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
  // Node answers `Expect: 100-continue` itself; forwarding it would stall the upstream fetch.
  'expect',
  // Client-supplied forwarding and cookie headers are not the client's to set for the upstream.
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
]);

/** Response headers the edge owns: an upstream cannot override them. */
const EDGE_OWNED = new Set([
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-mode',
  'x-ratelimit-shadow-decision',
  'retry-after',
  'x-request-id',
]);

const FORWARDED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** /api/v1 paths the edge itself serves; other methods on them get 405, never the upstream. */
const RESERVED = /^\/api\/v1\/(tokens|members|audit|alerts)(\/|$)/i;

/**
 * The upstream URL for a request: the configured base (its path kept) plus the request's path and
 * query. Only origin-form paths under `prefix` (default /api/v1/) with no dot segments (plain or
 * percent-encoded), backslashes or empty segments are forwarded, so a request cannot leave the
 * prefix or the upstream host.
 */
export function upstreamTarget(upstreamUrl: string, rawUrl: string, prefix = '/api/v1/'): URL | undefined {
  if (!rawUrl.startsWith(prefix)) return undefined;
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\\') || decoded.includes('//')) return undefined;
  if (decoded.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  const base = new URL(upstreamUrl);
  const target = new URL(base.origin);
  target.pathname = base.pathname.replace(/\/+$/, '') + path;
  target.search = query;
  return target.origin === base.origin ? target : undefined;
}

/** The quota of the token: carried by the principal (token service), else the edge's own default. */
export function quotaOf(principal: ApiPrincipal, deps: EdgeDeps): PrincipalRateLimit {
  const { limit, windowSeconds } = deps.config.rateLimit;
  return principal.rateLimit ?? { enforce: { limit, windowSeconds } };
}

const setLimitHeaders = (ctx: EdgeContext, decision: RateLimitDecision, mode: 'enforce' | 'shadow'): void => {
  ctx.set(rateLimitHeaders.limit, String(decision.limit));
  ctx.set(rateLimitHeaders.remaining, String(decision.remaining));
  ctx.set(rateLimitHeaders.reset, String(decision.resetAt));
  ctx.set(rateLimitHeaders.mode, mode);
};

/**
 * The shadow quota's decision for a call the enforced quota let through: judged on the calls
 * that passed in the shadow's window — the enforced counter itself when the windows match, else
 * that window's own counter (counting every passing call, never refusing).
 */
export async function shadowDecision(
  enforced: RateLimitDecision,
  enforcedWindowSeconds: number,
  shadow: { limit: number; windowSeconds: number },
  count: (q: { limit: number; windowSeconds: number }) => Promise<RateLimitDecision>,
): Promise<RateLimitDecision> {
  const counted = shadow.windowSeconds === enforcedWindowSeconds ? enforced : await count({ limit: COUNT_ONLY_LIMIT, windowSeconds: shadow.windowSeconds });
  const used = usedOf(counted);
  const allowed = used <= shadow.limit;
  const nowSeconds = Math.floor(Date.now() / 1000);
  return {
    allowed,
    limit: shadow.limit,
    remaining: Math.max(0, shadow.limit - used),
    resetAt: counted.resetAt,
    retryAfterSeconds: allowed ? 0 : Math.max(1, counted.resetAt - nowSeconds),
  };
}

/**
 * Applies the token's rate limit. Sets the X-RateLimit-* headers on every response it decides,
 * 429 included. When the rate-limit service cannot answer, the configured policy decides:
 * `open` (default) lets the request through without headers, `closed` answers 503.
 *
 * A token's calls are counted per window length (`tok:<id>:w<seconds>`), so a quota change that
 * keeps the window keeps its count, and a new window length starts its own.
 *
 * Shadow mode (a token whose quota override is `mode: "shadow"`): the enforced quota (the plan's)
 * decides; the shadow limit is then judged on the count of the calls that passed, in the shadow's
 * window — the very counter that quota uses once enforced, so switching it to `enforce` refuses at
 * once when the window is already over it. Never refuses. Unless the enforced quota refuses, the
 * headers show the shadow decision as if it were enforced, with `X-RateLimit-Mode: shadow` and
 * `X-RateLimit-Shadow-Decision: allowed|limited`; the metric counts `{mode="shadow",outcome="limited"}`
 * for each request it would have refused.
 */
async function applyRateLimit(ctx: EdgeContext, deps: EdgeDeps, principal: ApiPrincipal): Promise<void> {
  const { failurePolicy } = deps.config.rateLimit;
  const quota = quotaOf(principal, deps);
  const counter = (windowSeconds: number) => `tok:${principal.tokenId}:w${windowSeconds}`;
  const consume = (q: { limit: number; windowSeconds: number }) =>
    deps.bus.request(
      'ratelimit.consume',
      { key: counter(q.windowSeconds), ...q },
      { requestId: ctx.state.requestId, timeoutMs: deps.config.busTimeoutMs },
    );
  let decision;
  try {
    decision = await consume(quota.enforce);
  } catch (err) {
    metrics.rateLimitDecisions.inc({ outcome: 'unavailable', mode: 'enforce' });
    ctx.state.logger.warn({ code: err instanceof DispatchError ? err.code : 'UNKNOWN', failurePolicy }, 'rate limit unavailable');
    if (failurePolicy === 'closed') throw new DispatchError('SERVICE_UNAVAILABLE', 'Rate limiting is temporarily unavailable, try again shortly');
    return;
  }
  metrics.rateLimitDecisions.inc({ outcome: decision.allowed ? 'allowed' : 'limited', mode: 'enforce' });
  let shadow: RateLimitDecision | undefined;
  if (quota.shadow && decision.allowed) {
    try {
      shadow = await shadowDecision(decision, quota.enforce.windowSeconds, quota.shadow, (q) => consume(q));
      metrics.rateLimitDecisions.inc({ outcome: shadow.allowed ? 'allowed' : 'limited', mode: 'shadow' });
    } catch {
      metrics.rateLimitDecisions.inc({ outcome: 'unavailable', mode: 'shadow' });
    }
  }
  if (!decision.allowed) {
    setLimitHeaders(ctx, decision, 'enforce');
    ctx.set(rateLimitHeaders.retryAfter, String(decision.retryAfterSeconds));
    throw new DispatchError('RATE_LIMITED', `Rate limit of ${decision.limit} requests exceeded; retry after ${decision.retryAfterSeconds} s`, {
      limit: decision.limit,
      resetAt: decision.resetAt,
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  if (shadow) {
    setLimitHeaders(ctx, shadow, 'shadow');
    ctx.set(rateLimitHeaders.shadowDecision, shadow.allowed ? 'allowed' : 'limited');
  } else {
    setLimitHeaders(ctx, decision, 'enforce');
  }
}

/**
 * Copies client headers for the upstream, minus hop-by-hop ones and any client-sent principal
 * headers; sets the verified principal's headers when there is one (none on the public prefix).
 */
function upstreamHeaders(ctx: EdgeContext, principal: ApiPrincipal | undefined): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(ctx.request.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || lower.startsWith(principalHeaderPrefix) || lower === principalHeaders.requestId) continue;
    headers.set(lower, Array.isArray(value) ? value.join(', ') : value);
  }
  if (principal) {
    headers.set(principalHeaders.businessId, principal.businessId);
    headers.set(principalHeaders.tokenId, principal.tokenId);
    headers.set(principalHeaders.principalType, principal.kind);
  }
  headers.set(principalHeaders.requestId, ctx.state.requestId);
  headers.set('x-forwarded-for', ctx.ip);
  headers.set('x-forwarded-proto', ctx.protocol);
  return headers;
}

/**
 * A narrower token only reaches what its scopes name: 403 insufficient_scope elsewhere. Checked on
 * the path as forwarded (upstreamTarget already refused dot segments, `//` and backslashes);
 * a percent-encoded spelling of a scoped path matches no scope, so it needs `*`.
 */
function requireScope(ctx: EdgeContext, principal: ApiPrincipal): void {
  const q = ctx.originalUrl.indexOf('?');
  const path = q === -1 ? ctx.originalUrl : ctx.originalUrl.slice(0, q);
  if (scopesAllow(principal.scopes, ctx.method, path)) return;
  throw new DispatchError('FORBIDDEN', `This token's scopes (${principal.scopes.join(', ')}) do not allow ${ctx.method} ${path}`, {
    reason: 'insufficient_scope',
    scopes: principal.scopes,
  });
}

const DEFAULT_PROXY_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The request body as a stream that fails once more than `limit` bytes went through (a chunked
 * body declares no length), so the edge never streams an unbounded body to the upstream.
 */
function limitedBody(source: NodeJS.ReadableStream, limit: number): { stream: Transform; exceeded: () => boolean } {
  let size = 0;
  let over = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) {
        over = true;
        done(new Error('request body over the limit'));
        return;
      }
      done(null, chunk);
    },
  });
  source.pipe(stream);
  return { stream, exceeded: () => over };
}

/** Forwards the request to the upstream and copies its answer (status, headers the edge does not own, body). */
export async function forward(ctx: EdgeContext, deps: EdgeDeps, principal: ApiPrincipal | undefined, prefix = '/api/v1/'): Promise<void> {
  const target = upstreamTarget(deps.config.upstreamUrl, ctx.originalUrl, prefix);
  if (!target) throw new DispatchError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
  const hasBody = !['GET', 'HEAD'].includes(ctx.method);
  const limit = deps.config.proxyBodyLimitBytes ?? DEFAULT_PROXY_BODY_LIMIT;
  const tooLarge = () => new DispatchError('PAYLOAD_TOO_LARGE', `Request body must be at most ${limit} bytes`);
  if (hasBody && Number(ctx.get('content-length') || '0') > limit) throw tooLarge();
  const body = hasBody ? limitedBody(ctx.req, limit) : undefined;
  let response: Response;
  try {
    response = await fetch(target, {
      method: ctx.method,
      headers: upstreamHeaders(ctx, principal),
      body: body ? (Readable.toWeb(body.stream) as ReadableStream<Uint8Array>) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.config.upstreamTimeoutMs),
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    if (body?.exceeded()) {
      ctx.req.resume();
      throw tooLarge();
    }
    ctx.state.logger.warn({ err: (err as Error).message, upstream: target.origin }, 'upstream unreachable');
    throw new DispatchError('UPSTREAM_ERROR', 'The upstream API did not answer');
  }
  ctx.status = response.status;
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name) && !EDGE_OWNED.has(name) && name !== 'content-encoding') ctx.set(name, value);
  });
  ctx.body = Buffer.from(await response.arrayBuffer());
}

/**
 * Every other /api/v1/* path is business data: authenticate the API token, apply its rate
 * limit, forward to the upstream with the verified principal.
 */
export function proxyRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const catchAll = /^\/api\/v1\/.*/;
  /** The methods the edge's own routes serve on `path` (RFC 9110: a 405 names them in Allow). */
  const ownMethods = (path: string): string[] => {
    const methods = new Set<string>();
    for (const layer of router.match(path, 'GET').path) if (layer.path !== catchAll) for (const m of layer.methods) methods.add(m);
    return [...methods];
  };
  router.all(catchAll, async (ctx) => {
    if (RESERVED.test(ctx.path) || !FORWARDED_METHODS.has(ctx.method)) {
      const allowed = RESERVED.test(ctx.path) ? ownMethods(ctx.path) : [...FORWARDED_METHODS];
      ctx.set('Allow', allowed.join(', '));
      throw new DispatchError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
    }
    if (!upstreamTarget(deps.config.upstreamUrl, ctx.originalUrl)) {
      throw new DispatchError('NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
    }
    const principal = await requireApiToken(ctx, deps);
    requireScope(ctx, principal);
    await applyRateLimit(ctx, deps, principal);
    await forward(ctx, deps, principal);
  });
}
