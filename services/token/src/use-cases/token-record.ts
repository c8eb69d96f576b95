import type { TokenRecord, TokenStatus } from '@dispatch/contracts';
import type { ApiTokenEntity } from '../store/api-token-repository.js';

export function tokenStatus(token: Pick<ApiTokenEntity, 'revokedAt' | 'expiresAt'>, now: Date): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** The public view of a token: never the secret, never its hash. */
export function toTokenRecord(token: ApiTokenEntity, now: Date): TokenRecord {
  return {
    id: token.id,
    description: token.description,
    status: tokenStatus(token, now),
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    lastUsedAt: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
    expiresAt: token.expiresAt ? token.expiresAt.toISOString() : null,
    revokedAt: token.revokedAt ? token.revokedAt.toISOString() : null,
    revokedBy: token.revokedBy,
  };
}
