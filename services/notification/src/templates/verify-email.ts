import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, formatExpiry, htmlDocument, tokenLink, type RenderedMail, type TemplateContext } from './render.js';

export const VERIFY_SUBJECT = 'Verify your Dispatch account';

/** What a verification mail needs: `user.registered` and `user.verification_resent` both carry it. */
export type VerificationMailData = Pick<EventPayload<'user.registered'>, 'email' | 'firstName' | 'verificationToken' | 'verificationExpiresAt'>;

/** `user.registered` / `user.verification_resent` → the verification mail: a link, and the raw token for API users. */
export function verifyEmail(data: VerificationMailData, ctx: TemplateContext): RenderedMail {
  const link = tokenLink(ctx.publicUrl, '/verify', data.verificationToken);
  const expires = formatExpiry(data.verificationExpiresAt);
  const text = [
    `Hi ${data.firstName},`,
    '',
    'Welcome to Dispatch. Please confirm your email address by opening this link:',
    '',
    link,
    '',
    'Using the API instead? Send this verification token to POST /api/user/verify as {"token": "…"}:',
    '',
    data.verificationToken,
    '',
    `The link and the token expire on ${expires} and can be used once.`,
    '',
    'If you did not create a Dispatch account, you can ignore this email.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(VERIFY_SUBJECT, [
    `Hi ${escapeHtml(data.firstName)},`,
    'Welcome to Dispatch. Please confirm your email address:',
    `<a href="${escapeHtml(link)}">Verify my email address</a>`,
    `Using the API instead? Send this verification token to <code>POST /api/user/verify</code>:<br><code>${escapeHtml(data.verificationToken)}</code>`,
    `The link and the token expire on ${escapeHtml(expires)} and can be used once.`,
    'If you did not create a Dispatch account, you can ignore this email.',
  ]);
  return { to: data.email, subject: VERIFY_SUBJECT, text, html };
}
