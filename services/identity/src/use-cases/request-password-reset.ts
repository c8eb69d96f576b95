import type { AcceptedReply, RequestPasswordResetRequest } from '@dispatch/contracts';
import { hashSecretToken, newSecretToken } from '../secrets.js';
import { publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

const ACCEPTED: AcceptedReply = { accepted: true };

/**
 * Mails a single-use password-reset token (only its sha256 is stored; it expires after
 * `passwordResetTtlMs`, 1 h by default). An unknown address gets the very same reply and no mail.
 */
export async function requestPasswordReset(
  ctx: IdentityContext,
  req: RequestPasswordResetRequest,
  meta: RequestMeta = {},
): Promise<AcceptedReply> {
  const log = meta.logger ?? ctx.logger;
  const user = await ctx.users.findByEmail(req.email);
  if (!user) {
    log.info('password reset requested for an unknown address');
    return ACCEPTED;
  }
  const now = ctx.clock();
  const token = newSecretToken();
  const expiresAt = new Date(now.getTime() + ctx.config.passwordResetTtlMs);
  await ctx.resets.create({ tokenHash: hashSecretToken(token), userId: user.id, expiresAt, usedAt: null, attempts: 0, createdAt: now });
  try {
    await ctx.events.publish(
      'user.password_reset_requested',
      { userId: user.id, email: user.email, firstName: user.firstName, resetToken: token, expiresAt: expiresAt.toISOString() },
      publishOptions(meta),
    );
  } catch (err) {
    log.error({ err, userId: user.id }, 'user.password_reset_requested event could not be published');
    return ACCEPTED;
  }
  log.info({ userId: user.id }, 'password reset requested');
  return ACCEPTED;
}
