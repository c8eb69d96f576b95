import type { EffectiveRateLimit, TokenRecord, TokenStatus } from '@dispatch/contracts';
import type { ApiTokenEntity, RotationEntity } from '../store/api-token-repository.js';
import type { TokenContext } from './context.js';
import { effectiveQuota } from './quota.js';

/** When the token stops working on its own: its expiresAt or the end of its rotation grace, whichever is first. */
export function effectiveExpiry(token: Pick<ApiTokenEntity, 'expiresAt'>, rotation: RotationEntity | undefined): Date | null {
  const times = [token.expiresAt, rotation?.graceEndsAt].filter((d): d is Date => d instanceof Date);
  if (times.length === 0) return null;
  return new Date(Math.min(...times.map((d) => d.getTime())));
}

export function tokenStatus(token: Pick<ApiTokenEntity, 'revokedAt' | 'expiresAt'>, now: Date, rotation?: RotationEntity): TokenStatus {
  if (token.revokedAt) return 'revoked';
  const expiry = effectiveExpiry(token, rotation);
  if (expiry && expiry.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** The public view of a token: never the secret, never its hash. */
export function toTokenRecord(
  token: ApiTokenEntity,
  now: Date,
  rateLimit: EffectiveRateLimit,
  extra: { rotation?: RotationEntity | undefined; graceCalls?: number } = {},
): TokenRecord {
  const { rotation } = extra;
  return {
    id: token.id,
    description: token.description,
    status: tokenStatus(token, now, rotation),
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    lastUsedAt: iso(token.lastUsedAt),
    expiresAt: iso(token.expiresAt),
    revokedAt: iso(token.revokedAt),
    revokedBy: token.revokedBy,
    scopes: token.scopes as TokenRecord['scopes'],
    revocationReason: token.revocationReason,
    rotatedFrom: token.rotatedFrom,
    rotatedTo: rotation?.newTokenId ?? null,
    rotatedAt: iso(rotation?.rotatedAt),
    graceEndsAt: iso(rotation?.graceEndsAt),
    callsSinceRotation: rotation ? (extra.graceCalls ?? 0) : null,
    rateLimit,
  };
}

/** Records for several tokens, with their rotations and calls since rotation (two batched reads). */
export async function toTokenRecords(ctx: TokenContext, tokens: readonly ApiTokenEntity[]): Promise<TokenRecord[]> {
  const now = ctx.now();
  const ids = tokens.map((t) => t.id);
  const [rotations, rateLimits] = await Promise.all([ctx.apiTokens.rotations(ids), ctx.apiTokens.rateLimits(ids)]);
  const rotatedIds = ids.filter((id) => rotations.has(id));
  const usage = rotatedIds.length > 0 ? await ctx.apiTokens.usage(rotatedIds) : new Map<string, { graceCalls: number }>();
  return tokens.map((t) =>
    toTokenRecord(t, now, effectiveQuota(ctx, t, rateLimits.get(t.id)), { rotation: rotations.get(t.id), graceCalls: usage.get(t.id)?.graceCalls ?? 0 }),
  );
}

export async function toTokenRecordOf(ctx: TokenContext, token: ApiTokenEntity): Promise<TokenRecord> {
  const [record] = await toTokenRecords(ctx, [token]);
  if (!record) throw new Error('unreachable: one token in, one record out');
  return record;
}
