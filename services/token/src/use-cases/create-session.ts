import type { CreateSessionReply, CreateSessionRequest } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { sha256Hex } from '../tokens/hash.js';
import { signSessionToken } from '../tokens/jwt.js';
import type { TokenContext } from './context.js';

/** token.createSession: a session token for a user whose credentials were already checked. */
export async function createSession(ctx: TokenContext, request: CreateSessionRequest): Promise<CreateSessionReply> {
  const now = ctx.now();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + ctx.config.sessionTtlSeconds;
  const sessionId = newId('ses');
  const token = await signSessionToken(ctx.keyring, {
    userId: request.userId,
    businessId: request.businessId,
    sessionId,
    role: request.role,
    iat,
    exp,
  });
  // The store's expiry equals the token's `exp`, so both checks agree to the second.
  const expiresAt = new Date(exp * 1000);
  await ctx.sessions.create({
    id: sessionId,
    userId: request.userId,
    businessId: request.businessId,
    role: request.role,
    tokenHash: sha256Hex(token),
    createdAt: now,
    expiresAt,
    revokedAt: null,
  });
  return { token, sessionId, expiresAt: expiresAt.toISOString() };
}
