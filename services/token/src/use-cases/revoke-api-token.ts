import { errors, type RevokeApiTokenReply, type RevokeApiTokenRequest } from '@dispatch/contracts';
import type { RequestMeta, TokenContext } from './context.js';
import { toTokenRecord } from './token-record.js';

/** Broadcast topic telling every instance (and future caches) that a token is revoked. */
export const TOKEN_REVOKED_TOPIC = 'token.revoked';

/**
 * token.revokeApiToken: immediate (validation always reads the store) and idempotent. Another
 * business's token is NOT_FOUND, like an unknown id. The event is published on the first
 * revocation only; the broadcast goes out on every call (invalidating twice is harmless).
 */
export async function revokeApiToken(ctx: TokenContext, request: RevokeApiTokenRequest, meta: RequestMeta): Promise<RevokeApiTokenReply> {
  const result = await ctx.apiTokens.revoke(request.businessId, request.tokenId, request.revokedBy, ctx.now());
  if (!result) throw errors.notFound('Token');
  const { token, changed } = result;
  if (changed) {
    try {
      await ctx.events.publish(
        'token.revoked',
        { businessId: token.businessId, tokenId: token.id, revokedBy: token.revokedBy ?? request.revokedBy },
        { requestId: meta.requestId },
      );
    } catch (err) {
      // The revocation itself (what protects the business) is done; only the notice is lost.
      meta.logger.error({ err, tokenId: token.id }, 'token.revoked event not published');
    }
  }
  try {
    await ctx.events.broadcast(TOKEN_REVOKED_TOPIC, { tokenId: token.id });
  } catch (err) {
    meta.logger.warn({ err, tokenId: token.id }, 'token.revoked broadcast failed');
  }
  return { tokenInfo: toTokenRecord(token, ctx.now()) };
}
