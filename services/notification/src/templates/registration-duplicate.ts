import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, htmlDocument, type RenderedMail, type TemplateContext } from './render.js';

export const DUPLICATE_SUBJECT = 'Someone tried to register with your address';

/**
 * `user.registration_duplicate` → tells the owner of an existing account that someone tried to
 * register with their address (the API answers the same either way, so it cannot be used to
 * discover accounts). Carries no token.
 */
export function registrationDuplicate(data: EventPayload<'user.registration_duplicate'>, ctx: TemplateContext): RenderedMail {
  const login = `${ctx.publicUrl.replace(/\/+$/, '')}/login`;
  const text = [
    `Hi ${data.firstName},`,
    '',
    'Someone just tried to create a Dispatch account with this email address, which already has an account.',
    '',
    `If it was you, sign in instead: ${login}`,
    '',
    'If it was not you, no action is needed: your account is unchanged and nothing was created.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(DUPLICATE_SUBJECT, [
    `Hi ${escapeHtml(data.firstName)},`,
    'Someone just tried to create a Dispatch account with this email address, which already has an account.',
    `If it was you, <a href="${escapeHtml(login)}">sign in</a> instead.`,
    'If it was not you, no action is needed: your account is unchanged and nothing was created.',
  ]);
  return { to: data.email, subject: DUPLICATE_SUBJECT, text, html };
}
