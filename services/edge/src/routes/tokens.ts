import {
  ActivityQuery,
  AuditQuery,
  CreateTokenBody,
  InviteBody,
  RevokeTokenBody,
  RotateTokenBody,
  TokenId,
  UpdateTokenBody,
  UsageQuery,
  errors,
  quotaManagerRoles,
  usageGranularityMs,
  type SessionPrincipal,
} from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { requireSession, requireTokenManager } from '../auth/authenticate.js';
import { clientIp } from '../auth/client-ip.js';
import { readBody, readOptionalBody } from '../http/body.js';
import { call } from '../http/call.js';
import type { EdgeContext, EdgeDeps, EdgeState } from '../http/context.js';
import { ok } from '../http/envelope.js';
import { readQuery } from '../http/query.js';

/** Who may read the audit trail and a token's activity: the business's owners (and admins). */
const AUDITOR_ROLES = ['owner', 'admin'] as const;

/** A token id from the path; a malformed one is as unknown as a missing one: 404. */
function tokenIdParam(ctx: EdgeContext): string {
  const id = TokenId.safeParse(ctx.params['id']);
  if (!id.success) throw errors.notFound('Token');
  return id.data;
}

const requireAuditor = (ctx: EdgeContext, deps: EdgeDeps): Promise<SessionPrincipal> => requireSession(ctx, deps, AUDITOR_ROLES);

/** Settings > API Access: /api/v1/tokens, with a user session of a role that may manage tokens. */
export function tokenRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const limit = deps.config.bodyLimitBytes;

  router.post('/api/v1/tokens', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const body = await readBody(ctx, CreateTokenBody, limit);
    const created = await call(ctx, deps, 'token.createApiToken', {
      businessId: session.businessId,
      createdBy: session.userId,
      creatorRole: session.role,
      description: body.description,
      ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
      ...(body.scopes !== undefined ? { scopes: body.scopes } : {}),
      ...(body.rateLimit !== undefined ? { rateLimit: body.rateLimit } : {}),
      clientIp: clientIp(ctx),
    });
    // The secret is in this response only.
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, created, 201);
  });

  router.get('/api/v1/tokens', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const reply = await call(ctx, deps, 'token.listApiTokens', { businessId: session.businessId });
    ok(ctx, reply.tokens);
  });

  router.get('/api/v1/tokens/:id', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const reply = await call(ctx, deps, 'token.getApiToken', { businessId: session.businessId, tokenId: tokenIdParam(ctx) });
    ok(ctx, reply.tokenInfo);
  });

  // Owners and admins change a token's quota; it applies on every edge from the next request.
  router.patch('/api/v1/tokens/:id', async (ctx) => {
    const session = await requireSession(ctx, deps, quotaManagerRoles);
    const tokenId = tokenIdParam(ctx);
    const body = await readBody(ctx, UpdateTokenBody, limit);
    const reply = await call(ctx, deps, 'token.updateApiToken', {
      businessId: session.businessId,
      tokenId,
      updatedBy: session.userId,
      updaterRole: session.role,
      rateLimit: body.rateLimit,
      clientIp: clientIp(ctx),
    });
    ok(ctx, reply.tokenInfo);
  });

  // Calls per minute/hour/day by status class: anyone who may manage tokens (no client IPs here).
  router.get('/api/v1/tokens/:id/usage', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const tokenId = tokenIdParam(ctx);
    const query = readQuery(ctx, UsageQuery);
    const size = usageGranularityMs[query.granularity];
    const defaultSpan = { minute: 3_600_000, hour: 24 * 3_600_000, day: 30 * 86_400_000 }[query.granularity];
    const to = query.to ?? new Date(Math.ceil((Date.now() + 1) / size) * size).toISOString();
    const from = query.from ?? new Date(Date.parse(to) - defaultSpan).toISOString();
    ok(ctx, await call(ctx, deps, 'token.tokenUsage', { businessId: session.businessId, tokenId, granularity: query.granularity, from, to }));
  });

  router.delete('/api/v1/tokens/:id', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const tokenId = tokenIdParam(ctx);
    const body = await readOptionalBody(ctx, RevokeTokenBody, limit);
    const reply = await call(ctx, deps, 'token.revokeApiToken', {
      businessId: session.businessId,
      tokenId,
      revokedBy: session.userId,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      clientIp: clientIp(ctx),
    });
    ok(ctx, reply.tokenInfo);
  });

  router.post('/api/v1/tokens/:id/rotate', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const tokenId = tokenIdParam(ctx);
    const body = await readOptionalBody(ctx, RotateTokenBody, limit);
    const reply = await call(ctx, deps, 'token.rotateApiToken', {
      businessId: session.businessId,
      tokenId,
      rotatedBy: session.userId,
      rotatorRole: session.role,
      gracePeriodSeconds: body.gracePeriodSeconds,
      clientIp: clientIp(ctx),
    });
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, reply, 201);
  });

  router.get('/api/v1/tokens/:id/activity', async (ctx) => {
    const session = await requireAuditor(ctx, deps);
    const tokenId = tokenIdParam(ctx);
    const query = readQuery(ctx, ActivityQuery);
    const to = query.to ?? new Date(Math.ceil((Date.now() + 1) / 60_000) * 60_000).toISOString();
    const from = query.from ?? new Date(Date.parse(to) - 24 * 3600 * 1000).toISOString();
    ok(ctx, await call(ctx, deps, 'token.tokenActivity', { businessId: session.businessId, tokenId, from, to }));
  });

  router.get('/api/v1/audit', async (ctx) => {
    const session = await requireAuditor(ctx, deps);
    const query = readQuery(ctx, AuditQuery);
    const reply = await call(ctx, deps, 'token.listAudit', {
      businessId: session.businessId,
      limit: query.limit,
      ...(query.tokenId !== undefined ? { tokenId: query.tokenId } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
    ok(ctx, reply);
  });

  router.post('/api/v1/members', async (ctx) => {
    const session = await requireSession(ctx, deps, ['owner', 'admin']);
    const body = await readBody(ctx, InviteBody, limit);
    const reply = await call(ctx, deps, 'identity.createInvite', { ...body, businessId: session.businessId, invitedBy: session.userId });
    ok(ctx, reply, 201);
  });
}
