import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, htmlDocument, type RenderedMail, type TemplateContext } from './render.js';

export const inviteExistingAccountSubject = (businessName: string): string =>
  `You were invited to join ${businessName} on Dispatch`.replace(/[\r\n]+/g, ' ');

/**
 * `member.invite_existing_account` → tells the owner of an existing account that a business tried
 * to invite their address (the inviter got the usual answer, so invites cannot discover accounts).
 * Carries no token: an address belongs to one account, in one business.
 */
export function inviteExistingAccount(data: EventPayload<'member.invite_existing_account'>, ctx: TemplateContext): RenderedMail {
  const subject = inviteExistingAccountSubject(data.businessName);
  const login = `${ctx.publicUrl.replace(/\/+$/, '')}/login`;
  const text = [
    `Hi ${data.firstName},`,
    '',
    `Someone at ${data.businessName} invited this email address to join them on Dispatch. This address already has a Dispatch account, so no invitation was created.`,
    '',
    'If you expected it, ask them to invite another address of yours.',
    `Your account is unchanged; sign in as usual: ${login}`,
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(subject, [
    `Hi ${escapeHtml(data.firstName)},`,
    `Someone at <strong>${escapeHtml(data.businessName)}</strong> invited this email address to join them on Dispatch. This address already has a Dispatch account, so no invitation was created.`,
    'If you expected it, ask them to invite another address of yours.',
    `Your account is unchanged; <a href="${escapeHtml(login)}">sign in</a> as usual.`,
  ]);
  return { to: data.email, subject, text, html };
}
