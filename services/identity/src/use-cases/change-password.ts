import { DispatchError, errors, type ChangePasswordRequest, type PasswordChangedReply } from '@dispatch/contracts';
import { publishOptions, type IdentityContext, type RequestMeta } from './deps.js';
import { passwordIsEmail, passwordIsEmailError, publishPasswordChanged } from './passwords.js';

export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

/** A wrong current password: 400 naming the field (the session is fine, so not a 401). */
export const wrongCurrentPassword = () =>
  new DispatchError('VALIDATION_ERROR', WRONG_CURRENT_PASSWORD, { fields: { currentPassword: WRONG_CURRENT_PASSWORD } });

/**
 * Changes the password of a signed-in user who knows the current one. Outstanding reset links
 * are spent. Ending the user's other sessions is the caller's step (`token.revokeUserSessions`).
 */
export async function changePassword(ctx: IdentityContext, req: ChangePasswordRequest, meta: RequestMeta = {}): Promise<PasswordChangedReply> {
  const log = meta.logger ?? ctx.logger;
  const user = await ctx.users.findById(req.userId);
  if (!user) throw errors.notFound('User');
  if (!(await ctx.passwords.verify(req.currentPassword, user.passwordHash))) throw wrongCurrentPassword();
  if (passwordIsEmail(req.newPassword, user.email)) throw passwordIsEmailError('newPassword');

  await ctx.users.updatePasswordHash(user.id, await ctx.passwords.hash(req.newPassword));
  const now = ctx.clock();
  try {
    await ctx.resets.markAllUsedByUser(user.id, now);
  } catch (err) {
    log.error({ err, userId: user.id }, 'outstanding reset links could not be spent');
  }
  await publishPasswordChanged(ctx, user, 'change', publishOptions(meta), log);
  log.info({ userId: user.id }, 'password changed');
  return { userId: user.id, email: user.email };
}
