import { DispatchError, type VerifyReply, type VerifyRequest } from '@dispatch/contracts';
import { hashSecretToken } from '../secrets.js';
import { publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

export const tokenErrors = {
  invalid: () => new DispatchError('VERIFICATION_TOKEN_INVALID', 'The verification token is invalid'),
  used: () => new DispatchError('VERIFICATION_TOKEN_USED', 'The verification token has already been used'),
  expired: () => new DispatchError('VERIFICATION_TOKEN_EXPIRED', 'The verification token has expired'),
};

/** Confirms an email address with the single-use token that was mailed to it. */
export async function verifyEmail(ctx: IdentityContext, req: VerifyRequest, meta: RequestMeta = {}): Promise<VerifyReply> {
  const log = meta.logger ?? ctx.logger;
  const tokenHash = hashSecretToken(req.token);
  const record = await ctx.verifications.recordAttempt(tokenHash);
  if (!record) throw tokenErrors.invalid();
  if (record.usedAt) throw tokenErrors.used();
  const now = ctx.clock();
  if (record.expiresAt.getTime() <= now.getTime()) throw tokenErrors.expired();

  // The atomic claim: of several concurrent uses exactly one gets a record back.
  const claimed = await ctx.verifications.markUsed(tokenHash, now);
  if (!claimed) {
    const current = await ctx.verifications.findByHash(tokenHash);
    if (current && !current.usedAt && current.expiresAt.getTime() <= now.getTime()) throw tokenErrors.expired();
    throw tokenErrors.used();
  }
  // The attempt this token confirms sets the credentials; the other attempts' links die with it.
  if (claimed.registration) await ctx.users.applyRegistration(claimed.userId, claimed.registration);
  const user = await ctx.users.markEmailVerified(claimed.userId);
  if (!user) throw tokenErrors.invalid();
  await ctx.verifications.markAllUsedByUser(user.id, now);
  try {
    await ctx.events.publish('user.verified', { userId: user.id, email: user.email }, publishOptions(meta));
  } catch (err) {
    // The address is verified and the token spent; failing now would only make a retry answer USED.
    log.error({ err, userId: user.id }, 'user.verified event could not be published');
  }
  log.info({ userId: user.id }, 'email verified');
  return { userId: user.id, email: user.email, verified: true };
}
