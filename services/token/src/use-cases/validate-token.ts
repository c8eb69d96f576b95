import { principalRateLimit, type InvalidTokenReason, type ValidateTokenReply, type ValidateTokenRequest } from '@dispatch/contracts';
import { hashesEqual, sha256Hex } from '../tokens/hash.js';
import { verifyTokenSignature } from '../tokens/jwt.js';
import type { CachedApiToken } from '../validation/api-token-cache.js';
import type { TokenContext } from './context.js';
import { effectiveExpiry } from './token-record.js';
import { effectiveQuota, planQuotaOf } from './quota.js';

const invalid = (reason: InvalidTokenReason): ValidateTokenReply => ({ valid: false, reason });

/**
 * token.validate: form and signature first (no I/O), then the store, which alone decides:
 * a well-signed token that is unknown, revoked or expired there is not valid.
 */
export async function validateToken(ctx: TokenContext, request: ValidateTokenRequest): Promise<ValidateTokenReply> {
  const now = ctx.now();
  const verified = await verifyTokenSignature(ctx.keyring, request.token, now);
  if (!verified.ok) return invalid(verified.reason);
  const { claims } = verified;
  const tokenHash = sha256Hex(request.token);

  if (claims.typ === 'api') {
    const cached = await loadApiToken(ctx, tokenHash, claims.sub);
    const token = cached?.token;
    if (!token || !hashesEqual(token.tokenHash, tokenHash) || token.id !== claims.sub || token.businessId !== claims.bid) {
      return invalid('unknown_token');
    }
    const record = request.recordUsage !== false;
    // A genuine token that no longer works: say which (forensics), and audit the attempt.
    const rejected = (reason: 'revoked' | 'expired'): ValidateTokenReply => {
      if (record) {
        ctx.lastUsed.recordRejected({
          tokenId: token.id,
          businessId: token.businessId,
          reason,
          clientIp: request.clientIp ?? null,
          route: request.route ?? null,
          at: now,
        });
      }
      return { valid: false, reason, tokenId: token.id, businessId: token.businessId };
    };
    if (token.revokedAt) return rejected('revoked');
    const rotation = cached?.rotation;
    const expiry = effectiveExpiry(token, rotation);
    if (expiry && expiry.getTime() <= now.getTime()) return rejected('expired');
    if (record) ctx.lastUsed.record(token.id, now, rotation !== undefined);
    // The quota travels with the principal (cached with the record, invalidated when it changes): no extra call per request.
    const quota = effectiveQuota(ctx, token, cached?.rateLimitChange);
    return {
      valid: true,
      principal: {
        kind: 'api',
        businessId: token.businessId,
        tokenId: token.id,
        scopes: [...token.scopes],
        rateLimit: principalRateLimit(quota, planQuotaOf(ctx, quota.plan)),
      },
    };
  }

  const session = await ctx.sessions.get(claims.bid, claims.sid);
  if (!session || !hashesEqual(session.tokenHash, tokenHash) || session.userId !== claims.sub) return invalid('unknown_token');
  if (session.revokedAt) return invalid('revoked');
  if (session.expiresAt.getTime() <= now.getTime()) return invalid('expired');
  return {
    valid: true,
    principal: { kind: 'session', businessId: session.businessId, userId: session.userId, sessionId: session.id, role: session.role },
  };
}

/** The token's record and rotation: from the cache, else from the store (then cached unless invalidated meanwhile). */
async function loadApiToken(ctx: TokenContext, tokenHash: string, tokenId: string): Promise<CachedApiToken | undefined> {
  const hit = ctx.tokenCache.get(tokenHash);
  if (hit) return hit;
  const generation = ctx.tokenCache.snapshot();
  // The rotation and quota changes are read by the id in the (verified) claims, in parallel with the hash lookup.
  const [token, rotations, rateLimits] = await Promise.all([
    ctx.apiTokens.findByHash(tokenHash),
    ctx.apiTokens.rotations([tokenId]),
    ctx.apiTokens.rateLimits([tokenId]),
  ]);
  if (!token) return undefined;
  const loaded: CachedApiToken = { token, rotation: rotations.get(token.id), rateLimitChange: token.id === tokenId ? rateLimits.get(tokenId) : undefined };
  if (token.id === tokenId) ctx.tokenCache.set(tokenHash, loaded, generation);
  return loaded;
}
