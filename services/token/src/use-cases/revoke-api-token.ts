import { errors, type RevokeApiTokenReply, type RevokeApiTokenRequest } from '@dispatch/contracts';
import type { RequestMeta, TokenContext } from './context.js';
import { audit } from './audit.js';
import { ownerEmails } from './notify.js';
import { invalidateApiToken } from './invalidate-api-token.js';
import { toTokenRecordOf } from './token-record.js';

/**
 * token.revokeApiToken: immediate (every instance's validation cache is invalidated before the reply)
 * and idempotent. Another business's token is NOT_FOUND, like an unknown id. The audit record and the
 * event are written on the first revocation only; the invalidation goes out on every call, so a
 * retry after a failed one (503) completes it.
 */
export async function revokeApiToken(ctx: TokenContext, request: RevokeApiTokenRequest, meta: RequestMeta): Promise<RevokeApiTokenReply> {
  const now = ctx.now();
  const result = await ctx.apiTokens.revoke(request.businessId, request.tokenId, request.revokedBy, now, request.reason ?? null);
  if (!result) throw errors.notFound('Token');
  const { token, changed } = result;
  if (changed) {
    const [, notifyEmails] = await Promise.all([
      audit(
        ctx,
        {
          businessId: token.businessId,
          tokenId: token.id,
          action: 'token.revoked',
          actor: { type: 'user', id: request.revokedBy },
          at: token.revokedAt ?? now,
          clientIp: request.clientIp,
          details: { reason: token.revocationReason },
        },
        meta,
      ),
      ownerEmails(ctx, token.businessId, meta),
    ]);
    try {
      await ctx.events.publish(
        'token.revoked',
        {
          businessId: token.businessId,
          tokenId: token.id,
          revokedBy: token.revokedBy ?? request.revokedBy,
          description: token.description,
          reason: token.revocationReason,
          notifyEmails,
        },
        { requestId: meta.requestId },
      );
    } catch (err) {
      // The revocation itself (what protects the business) is done; only the notice is lost.
      meta.logger.error({ err, tokenId: token.id }, 'token.revoked event not published');
    }
  }
  try {
    await invalidateApiToken(ctx, token.id);
  } catch (err) {
    // Stored, but other instances may still hold the token in their caches: not done until they do not.
    meta.logger.error({ err, tokenId: token.id }, 'token revoked but the cache invalidation was not sent');
    throw errors.unavailable('The token is revoked but not yet on every instance; repeat the request to complete it');
  }
  return { tokenInfo: await toTokenRecordOf(ctx, token) };
}
