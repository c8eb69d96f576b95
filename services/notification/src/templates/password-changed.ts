import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, htmlDocument, type RenderedMail, type TemplateContext } from './render.js';

export const PASSWORD_CHANGED_SUBJECT = 'Your Dispatch password was changed';

/** `user.password_changed` → a security notice. Carries no token. */
export function passwordChanged(data: EventPayload<'user.password_changed'>, ctx: TemplateContext): RenderedMail {
  const forgot = `${ctx.publicUrl.replace(/\/+$/, '')}/forgot-password`;
  const how =
    data.method === 'reset'
      ? 'The password of your Dispatch account was just reset with a link sent to this address. Every session was signed out.'
      : 'The password of your Dispatch account was just changed. Your other sessions were signed out.';
  const text = [
    `Hi ${data.firstName},`,
    '',
    how,
    '',
    `If this was not you, reset your password now: ${forgot}`,
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(PASSWORD_CHANGED_SUBJECT, [
    `Hi ${escapeHtml(data.firstName)},`,
    escapeHtml(how),
    `If this was not you, <a href="${escapeHtml(forgot)}">reset your password</a> now.`,
  ]);
  return { to: data.email, subject: PASSWORD_CHANGED_SUBJECT, text, html };
}
