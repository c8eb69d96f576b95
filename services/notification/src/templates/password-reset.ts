import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, formatExpiry, htmlDocument, tokenLink, type RenderedMail, type TemplateContext } from './render.js';

export const PASSWORD_RESET_SUBJECT = 'Reset your Dispatch password';

/** `user.password_reset_requested` → the reset link, and the raw token for API users. */
export function passwordReset(data: EventPayload<'user.password_reset_requested'>, ctx: TemplateContext): RenderedMail {
  const link = tokenLink(ctx.publicUrl, '/reset-password', data.resetToken);
  const expires = formatExpiry(data.expiresAt);
  const text = [
    `Hi ${data.firstName},`,
    '',
    'Someone (hopefully you) asked to reset the password of your Dispatch account. Choose a new password here:',
    '',
    link,
    '',
    'Using the API instead? Send this reset token with your new password to POST /api/user/password/reset:',
    '',
    data.resetToken,
    '',
    `The link and the token expire on ${expires} and can be used once. Resetting signs you out everywhere.`,
    '',
    'If you did not ask for this, you can ignore this email: your password stays the same.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(PASSWORD_RESET_SUBJECT, [
    `Hi ${escapeHtml(data.firstName)},`,
    'Someone (hopefully you) asked to reset the password of your Dispatch account.',
    `<a href="${escapeHtml(link)}">Choose a new password</a>`,
    `Using the API instead? Send this reset token to <code>POST /api/user/password/reset</code>:<br><code>${escapeHtml(data.resetToken)}</code>`,
    `The link and the token expire on ${escapeHtml(expires)} and can be used once. Resetting signs you out everywhere.`,
    'If you did not ask for this, you can ignore this email: your password stays the same.',
  ]);
  return { to: data.email, subject: PASSWORD_RESET_SUBJECT, text, html };
}
