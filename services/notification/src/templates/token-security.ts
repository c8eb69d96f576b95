import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, formatExpiry, htmlDocument, type RenderedMail, type TemplateContext } from './render.js';

export const TOKEN_CREATED_SUBJECT = 'Security notice: a new API token was created';
export const TOKEN_REVOKED_SUBJECT = 'Security notice: an API token was revoked';
export const TOKEN_ROTATED_SUBJECT = 'Security notice: an API token was rotated';

const settingsLink = (ctx: TemplateContext) => `${ctx.publicUrl.replace(/\/+$/, '')}/settings/api-access`;
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

function notice(to: readonly string[], subject: string, lines: string[], ctx: TemplateContext): RenderedMail | null {
  // No recipients (identity could not answer): nothing to send; the audit trail has the record.
  if (to.length === 0) return null;
  const link = settingsLink(ctx);
  const text = [
    'Hello,',
    '',
    ...lines,
    '',
    `Review your API tokens and their audit trail: ${link}`,
    '',
    'If you did not expect this, revoke the token at once and check the audit trail for unauthorized access.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(subject, [
    'Hello,',
    ...lines.map(escapeHtml),
    `<a href="${escapeHtml(link)}">Review your API tokens and their audit trail</a>`,
    'If you did not expect this, revoke the token at once and check the audit trail for unauthorized access.',
  ]);
  return { to: to.join(', '), subject, text, html };
}

/**
 * Security notices to the business owners (the addresses the token service put in the event).
 * They name the token (id and description), never its secret.
 */
export function tokenCreated(data: EventPayload<'token.created'>, ctx: TemplateContext): RenderedMail | null {
  return notice(
    data.notifyEmails ?? [],
    TOKEN_CREATED_SUBJECT,
    [
      `A new API token "${oneLine(data.description)}" (${data.tokenId}) was created for your business by user ${data.createdBy}.`,
      `Scopes: ${(data.scopes ?? ['*']).join(', ')}. ${data.expiresAt ? `It expires on ${formatExpiry(data.expiresAt)}.` : 'It does not expire.'}`,
    ],
    ctx,
  );
}

export function tokenRevoked(data: EventPayload<'token.revoked'>, ctx: TemplateContext): RenderedMail | null {
  return notice(
    data.notifyEmails ?? [],
    TOKEN_REVOKED_SUBJECT,
    [
      `The API token ${data.description ? `"${oneLine(data.description)}" ` : ''}(${data.tokenId}) was revoked by user ${data.revokedBy}. It no longer works.`,
      ...(data.reason ? [`Reason given: ${oneLine(data.reason)}`] : []),
    ],
    ctx,
  );
}

export function tokenRotated(data: EventPayload<'token.rotated'>, ctx: TemplateContext): RenderedMail | null {
  return notice(
    data.notifyEmails,
    TOKEN_ROTATED_SUBJECT,
    [
      `The API token "${oneLine(data.description)}" (${data.tokenId}) was rotated by user ${data.rotatedBy}; its replacement is ${data.newTokenId}.`,
      `The old token keeps working until ${formatExpiry(data.graceEndsAt)}.`,
    ],
    ctx,
  );
}
