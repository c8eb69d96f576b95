import { DispatchError, type CheckCredentialsReply, type CheckCredentialsRequest } from '@dispatch/contracts';
import type { IdentityContext, RequestMeta } from './deps.js';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password';
const invalidCredentials = () => new DispatchError('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);

/**
 * Checks an email and password. An unknown email and a wrong password fail with the same error
 * after the same amount of scrypt work (a dummy hash is verified for unknown emails).
 */
export async function checkCredentials(
  ctx: IdentityContext,
  req: CheckCredentialsRequest,
  meta: RequestMeta = {},
): Promise<CheckCredentialsReply> {
  const log = meta.logger ?? ctx.logger;
  const user = await ctx.users.findByEmail(req.email);
  if (!user) {
    await ctx.passwords.verifyDummy(req.password);
    throw invalidCredentials();
  }
  if (!(await ctx.passwords.verify(req.password, user.passwordHash))) throw invalidCredentials();
  if (!user.emailVerified) throw new DispatchError('EMAIL_NOT_VERIFIED', 'Please verify your email address before logging in');

  if (ctx.passwords.needsRehash(user.passwordHash)) {
    // Parameters were raised since this hash was made: upgrade it now that we know the password.
    try {
      await ctx.users.updatePasswordHash(user.id, await ctx.passwords.hash(req.password));
    } catch (err) {
      log.warn({ err, userId: user.id }, 'password re-hash failed');
    }
  }
  return { userId: user.id, businessId: user.businessId, role: user.role, email: user.email };
}
