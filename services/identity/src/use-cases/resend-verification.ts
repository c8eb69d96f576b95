import type { AcceptedReply, ResendVerificationRequest } from '@dispatch/contracts';
import { issueVerificationToken } from './verification-token.js';
import { publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

const ACCEPTED: AcceptedReply = { accepted: true };

/**
 * Mails a fresh verification token to an unverified account. An unknown or already verified
 * address gets the very same reply and no mail (no account enumeration). Earlier tokens stay
 * valid until they expire; the edge limits how often an address can ask.
 */
export async function resendVerification(
  ctx: IdentityContext,
  req: ResendVerificationRequest,
  meta: RequestMeta = {},
): Promise<AcceptedReply> {
  const log = meta.logger ?? ctx.logger;
  const user = await ctx.users.findByEmail(req.email);
  if (!user || user.emailVerified) {
    log.info({ known: user !== null }, 'verification resend: nothing to send');
    return ACCEPTED;
  }
  const { token, expiresAt } = await issueVerificationToken(ctx, user.id, null);
  try {
    await ctx.events.publish(
      'user.verification_resent',
      {
        userId: user.id,
        email: user.email,
        firstName: user.firstName,
        verificationToken: token,
        verificationExpiresAt: expiresAt.toISOString(),
      },
      publishOptions(meta),
    );
  } catch (err) {
    // The same answer as for any address; nobody can use a token that was never mailed.
    log.error({ err, userId: user.id }, 'user.verification_resent event could not be published');
    return ACCEPTED;
  }
  log.info({ userId: user.id }, 'verification token re-sent');
  return ACCEPTED;
}
