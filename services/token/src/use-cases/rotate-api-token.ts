import { DispatchError, errors, type RotateApiTokenReply, type RotateApiTokenRequest, type TokenScope } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import type { RequestMeta, TokenContext } from './context.js';
import { audit } from './audit.js';
import { grantedScopes, mintApiToken } from './create-api-token.js';
import { ownerEmails } from './notify.js';
import { invalidateApiToken } from './invalidate-api-token.js';
import { toTokenRecord, toTokenRecordOf, tokenStatus } from './token-record.js';
import { currentOverride, effectiveQuota } from './quota.js';

/**
 * token.rotateApiToken: a new token with the same description, scopes and expiry; the old one
 * keeps working until the grace period ends (0 = revoked now), then is expired. The first
 * rotation of a token wins (a unique insert); rotating it again is 409 — rotate the new one.
 * The new token takes over the old one's slot under the cap, so rotation never fails on it.
 */
export async function rotateApiToken(ctx: TokenContext, request: RotateApiTokenRequest, meta: RequestMeta): Promise<RotateApiTokenReply> {
  const now = ctx.now();
  const old = await ctx.apiTokens.get(request.businessId, request.tokenId);
  if (!old) throw errors.notFound('Token');
  const [rotations, rateLimits] = await Promise.all([ctx.apiTokens.rotations([old.id]), ctx.apiTokens.rateLimits([old.id])]);
  const previous = rotations.get(old.id);
  // The new token keeps the old one's quota.
  const rateLimit = currentOverride(old, rateLimits.get(old.id));
  if (old.revokedAt) throw new DispatchError('CONFLICT', 'This token is revoked and cannot be rotated; create a new token instead');
  if (previous) {
    throw new DispatchError('CONFLICT', `This token was already rotated to ${previous.newTokenId}; rotate that token instead`, {
      rotatedTo: previous.newTokenId,
    });
  }
  if (tokenStatus(old, now) === 'expired') throw new DispatchError('CONFLICT', 'This token has expired and cannot be rotated; create a new token instead');
  // The rotator re-issues the old token's permissions, so it must be allowed to grant them.
  const scopes = grantedScopes(old.scopes as TokenScope[], request.rotatorRole);

  const newTokenId = newId('tok');
  const graceEndsAt = new Date(now.getTime() + request.gracePeriodSeconds * 1000);
  const claim = await ctx.apiTokens.recordRotation({
    tokenId: old.id,
    businessId: old.businessId,
    newTokenId,
    rotatedBy: request.rotatedBy,
    rotatedAt: now,
    graceEndsAt,
  });
  if (!claim.changed) {
    throw new DispatchError('CONFLICT', `This token was already rotated to ${claim.rotation.newTokenId}; rotate that token instead`, {
      rotatedTo: claim.rotation.newTokenId,
    });
  }
  const { token, entity } = await mintApiToken(
    ctx,
    { id: newTokenId, businessId: old.businessId, createdBy: request.rotatedBy, description: old.description, scopes, expiresAt: old.expiresAt, rotatedFrom: old.id, rateLimit },
    now,
  );
  if (request.gracePeriodSeconds === 0) {
    await ctx.apiTokens.revoke(old.businessId, old.id, request.rotatedBy, now, 'Rotated with no grace period');
  }
  // The old token now ends with its grace period (or was just revoked): cached records without the rotation are stale.
  // The new token is minted, so a failure here cannot fail the call; the cache TTL bounds the staleness.
  await invalidateApiToken(ctx, old.id).catch((err: unknown) => meta.logger.error({ err, tokenId: old.id }, 'rotated token not invalidated on other instances'));

  const base = { businessId: old.businessId, actor: { type: 'user' as const, id: request.rotatedBy }, at: now, clientIp: request.clientIp };
  await audit(ctx, { ...base, tokenId: old.id, action: 'token.rotated', details: { newTokenId, graceEndsAt: graceEndsAt.toISOString() } }, meta);
  await audit(ctx, { ...base, tokenId: newTokenId, action: 'token.created', details: { description: old.description, scopes, rotatedFrom: old.id } }, meta);
  try {
    await ctx.events.publish(
      'token.rotated',
      {
        businessId: old.businessId,
        tokenId: old.id,
        newTokenId,
        description: old.description,
        rotatedBy: request.rotatedBy,
        graceEndsAt: graceEndsAt.toISOString(),
        notifyEmails: await ownerEmails(ctx, old.businessId, meta),
      },
      { requestId: meta.requestId },
    );
  } catch (err) {
    meta.logger.error({ err, tokenId: old.id }, 'token.rotated event not published');
  }

  const refreshed = (await ctx.apiTokens.get(old.businessId, old.id)) ?? old;
  return { token, tokenInfo: toTokenRecord(entity, now, effectiveQuota(ctx, entity, undefined)), previous: await toTokenRecordOf(ctx, refreshed) };
}
