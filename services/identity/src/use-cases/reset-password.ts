import { DispatchError, type PasswordChangedReply, type ResetPasswordRequest } from '@dispatch/contracts';
import { hashSecretToken } from '../secrets.js';
import { publishOptions, type IdentityContext, type RequestMeta } from './deps.js';
import { passwordIsEmail, passwordIsEmailError, publishPasswordChanged } from './passwords.js';

/** The same three codes as verification and invite tokens, with messages that name the reset link. */
export const resetTokenErrors = {
  invalid: () => new DispatchError('VERIFICATION_TOKEN_INVALID', 'The password reset token is invalid'),
  used: () => new DispatchError('VERIFICATION_TOKEN_USED', 'The password reset token has already been used'),
  expired: () => new DispatchError('VERIFICATION_TOKEN_EXPIRED', 'The password reset token has expired'),
};

/**
 * Spends a reset token and sets the new password. The token is claimed by a unique insert, so of
 * several concurrent uses exactly one wins. Every other outstanding reset link of the user is
 * spent too. Ending the user's sessions is the caller's step (`token.revokeUserSessions`).
 */
export async function resetPassword(ctx: IdentityContext, req: ResetPasswordRequest, meta: RequestMeta = {}): Promise<PasswordChangedReply> {
  const log = meta.logger ?? ctx.logger;
  const tokenHash = hashSecretToken(req.token);
  const record = await ctx.resets.recordAttempt(tokenHash);
  if (!record) throw resetTokenErrors.invalid();
  if (record.usedAt) throw resetTokenErrors.used();
  const now = ctx.clock();
  if (record.expiresAt.getTime() <= now.getTime()) throw resetTokenErrors.expired();
  const user = await ctx.users.findById(record.userId);
  if (!user) throw resetTokenErrors.invalid();
  // Checked before the claim, so a rejected password leaves the link usable.
  if (passwordIsEmail(req.password, user.email)) throw passwordIsEmailError('password');

  const passwordHash = await ctx.passwords.hash(req.password);
  const claimed = await ctx.resets.markUsed(tokenHash, now);
  if (!claimed) {
    const current = await ctx.resets.findByHash(tokenHash);
    if (current && !current.usedAt && current.expiresAt.getTime() <= now.getTime()) throw resetTokenErrors.expired();
    throw resetTokenErrors.used();
  }
  await ctx.users.updatePasswordHash(user.id, passwordHash);
  try {
    await ctx.resets.markAllUsedByUser(user.id, now);
  } catch (err) {
    log.error({ err, userId: user.id }, 'other reset links could not be spent');
  }
  await publishPasswordChanged(ctx, user, 'reset', publishOptions(meta), log);
  log.info({ userId: user.id }, 'password reset');
  return { userId: user.id, email: user.email };
}
