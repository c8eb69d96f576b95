import { errors, type RevokeApiTokenReply, type RevokeApiTokenRequest } from '@dispatch/contracts';
import type { RequestMeta, TokenContext } from './context.js';
import { audit } from './audit.js';
import { ownerEmails } from './notify.js';
import { toTokenRecordOf } from './token-record.js';

/** Broadcast topic telling every instance (and future caches) that a token is revoked. */
export const TOKEN_REVOKED_TOPIC = 'token.revoked';

/**
 * token.revokeApiToken: immediate (validation always reads the store) and idempotent. Another
 * business's token is NOT_FOUND, like an unknown id. The audit record and the event are written
 * on the first revocation only; the broadcast goes out on every call (invalidating twice is harmless).
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
    await ctx.events.broadcast(TOKEN_REVOKED_TOPIC, { tokenId: token.id });
  } catch (err) {
    meta.logger.warn({ err, tokenId: token.id }, 'token.revoked broadcast failed');
  }
  return { tokenInfo: await toTokenRecordOf(ctx, token) };
}
