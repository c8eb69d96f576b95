import { errors, quotaManagerRoles, DispatchError, type UpdateApiTokenReply, type UpdateApiTokenRequest } from '@dispatch/contracts';
import type { RequestMeta, TokenContext } from './context.js';
import { audit } from './audit.js';
import { invalidateApiToken } from './invalidate-api-token.js';
import { checkOverride, currentOverride } from './quota.js';
import { toTokenRecordOf } from './token-record.js';

/**
 * token.updateApiToken: changes a token's quota (owner/admin; never above the plan). The change
 * is stored (insert-only), then the token is dropped from every instance's validation cache
 * before the reply, exactly like a revocation (ADR 0005): the next request through any edge
 * gets the new quota. Another business's token is NOT_FOUND.
 */
export async function updateApiToken(ctx: TokenContext, request: UpdateApiTokenRequest, meta: RequestMeta): Promise<UpdateApiTokenReply> {
  if (!quotaManagerRoles.includes(request.updaterRole)) {
    throw new DispatchError('FORBIDDEN', `Your role (${request.updaterRole}) cannot change a token's quota; ask an owner or admin`, {
      reason: 'insufficient_role',
    });
  }
  const now = ctx.now();
  const token = await ctx.apiTokens.get(request.businessId, request.tokenId);
  if (!token) throw errors.notFound('Token');
  if (request.rateLimit) checkOverride(ctx, request.businessId, request.rateLimit, request.updaterRole);
  const before = currentOverride(token, (await ctx.apiTokens.rateLimits([token.id])).get(token.id));
  // A PATCH that changes nothing writes nothing (no override, no audit record); the caches are
  // still invalidated, so repeating a request whose invalidation failed completes it.
  const unchanged = sameOverride(before, request.rateLimit);
  if (!unchanged) {
    await ctx.apiTokens.recordRateLimit({
      tokenId: token.id,
      businessId: token.businessId,
      rateLimit: request.rateLimit,
      changedBy: request.updatedBy,
      at: now,
    });
  }
  try {
    await invalidateApiToken(ctx, token.id);
  } catch (err) {
    meta.logger.error({ err, tokenId: token.id }, 'quota changed but the cache invalidation was not sent');
    throw errors.unavailable('The quota is changed but not yet on every instance; repeat the request to complete it');
  }
  if (unchanged) return { tokenInfo: await toTokenRecordOf(ctx, token) };
  await audit(
    ctx,
    {
      businessId: token.businessId,
      tokenId: token.id,
      action: 'token.rate_limit_changed',
      actor: { type: 'user', id: request.updatedBy },
      at: now,
      clientIp: request.clientIp,
      details: { from: before, to: request.rateLimit },
    },
    meta,
  );
  return { tokenInfo: await toTokenRecordOf(ctx, token) };
}

type Override = UpdateApiTokenRequest['rateLimit'];

const sameOverride = (a: Override, b: Override): boolean =>
  a === null || b === null ? a === b : a.limit === b.limit && a.windowSeconds === b.windowSeconds && a.mode === b.mode;
