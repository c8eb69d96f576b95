import { errors, type DispatchError } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { UserRecord } from '../store/user-repository.js';
import type { IdentityContext } from './deps.js';

/** The rule registration applies too: a password must not be the account's email address. */
export const passwordIsEmail = (password: string, email: string): boolean => password.trim().toLowerCase() === email;

export const passwordIsEmailError = (field: string): DispatchError =>
  errors.validation('Request body is invalid', { fields: { [field]: 'Password must not be your email address' } });

/** The security notice; the password has changed either way, so a failure to publish is only logged. */
export async function publishPasswordChanged(
  ctx: IdentityContext,
  user: UserRecord,
  method: 'change' | 'reset',
  options: { requestId?: string },
  log: Logger,
): Promise<void> {
  try {
    await ctx.events.publish('user.password_changed', { userId: user.id, email: user.email, firstName: user.firstName, method }, options);
  } catch (err) {
    log.error({ err, userId: user.id }, 'user.password_changed event could not be published');
  }
}
