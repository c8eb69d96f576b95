import type { EventPayload } from '@dispatch/contracts';
import { SIGNATURE, escapeHtml, htmlDocument, type RenderedMail, type TemplateContext } from './render.js';

export const SECURITY_ALERT_SUBJECT = 'Security alert: suspicious activity on your Dispatch account';

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/**
 * The security-alert email to the business owners (addresses resolved by the detector).
 * Infrastructure alerts have no business and no recipients: no mail (ops see the event and metrics).
 */
export function securityAlert(data: EventPayload<'alert.raised'>, ctx: TemplateContext): RenderedMail | null {
  if (data.notifyEmails.length === 0) return null;
  const link = `${ctx.publicUrl.replace(/\/+$/, '')}/settings/api-access`;
  const lines = [
    oneLine(data.summary),
    `Kind: ${data.kind}${data.tokenId ? `, token ${data.tokenId}` : ''}. First seen at ${data.firstSeenAt}.`,
    `Alert id: ${data.alertId}.`,
  ];
  const text = [
    'Hello,',
    '',
    ...lines,
    '',
    `Review the alert, the token's activity and the audit trail: ${link}`,
    '',
    'If this was not you, revoke the token at once.',
    '',
    SIGNATURE,
    '',
  ].join('\n');
  const html = htmlDocument(SECURITY_ALERT_SUBJECT, [
    'Hello,',
    ...lines.map(escapeHtml),
    `<a href="${escapeHtml(link)}">Review the alert, the token's activity and the audit trail</a>`,
    'If this was not you, revoke the token at once.',
  ]);
  return { to: data.notifyEmails.join(', '), subject: SECURITY_ALERT_SUBJECT, text, html };
}
