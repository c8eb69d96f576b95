import { hashSecretToken, newSecretToken } from '../secrets.js';
import type { PendingRegistration } from '../store/verification-token-repository.js';
import type { IdentityContext } from './deps.js';

/**
 * Stores a fresh single-use verification token for `userId` (only its hash), valid for the
 * configured TTL and bound to `registration` when it confirms a registration attempt. Returns the
 * token to mail and its expiry.
 */
export async function issueVerificationToken(
  ctx: IdentityContext,
  userId: string,
  registration: PendingRegistration | null,
): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock();
  const token = newSecretToken();
  const expiresAt = new Date(now.getTime() + ctx.config.verificationTtlMs);
  await ctx.verifications.create({ tokenHash: hashSecretToken(token), userId, expiresAt, usedAt: null, attempts: 0, createdAt: now, registration });
  return { token, expiresAt };
}
