import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, formatExpiry, htmlDocument, tokenLink, type RenderedMail, type TemplateContext } from './render.js';

export const inviteSubject = (businessName: string): string => `You're invited to join ${businessName} on Dispatch`;

/** `member.invited` → the invitation: business, role, link, and the raw token for API users. */
export function memberInvited(data: EventPayload<'member.invited'>, ctx: TemplateContext): RenderedMail {
  const link = tokenLink(ctx.publicUrl, '/invite', data.inviteToken);
  const expires = formatExpiry(data.expiresAt);
  const subject = inviteSubject(data.businessName).replace(/[\r\n]+/g, ' ');
  const text = [
    'Hello,',
    '',
    `You have been invited to join ${data.businessName} on Dispatch as ${data.role}.`,
    '',
    'Accept the invitation here:',
    '',
    link,
    '',
    'Using the API instead? Send this invitation token to POST /api/user/invite/accept:',
    '',
    data.inviteToken,
    '',
    `The invitation expires on ${expires} and can be used once.`,
    '',
    'If you were not expecting this invitation, you can ignore this email.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(subject, [
    'Hello,',
    `You have been invited to join <strong>${escapeHtml(data.businessName)}</strong> on Dispatch as <strong>${escapeHtml(data.role)}</strong>.`,
    `<a href="${escapeHtml(link)}">Accept the invitation</a>`,
    `Using the API instead? Send this invitation token to <code>POST /api/user/invite/accept</code>:<br><code>${escapeHtml(data.inviteToken)}</code>`,
    `The invitation expires on ${escapeHtml(expires)} and can be used once.`,
    'If you were not expecting this invitation, you can ignore this email.',
  ]);
  return { to: data.email, subject, text, html };
}
