import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventPayload } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { SECURITY_ALERT_SUBJECT, renderEventMail } from './index.js';

const alert = (over: Partial<EventPayload<'alert.raised'>> = {}): DomainEvent<'alert.raised'> => ({
  id: newId('evt'),
  type: 'alert.raised',
  version: 1,
  occurredAt: new Date().toISOString(),
  data: {
    alertId: 'alr_1',
    businessId: newId('biz'),
    kind: 'token.invalid_use',
    tokenId: 'tok_0000000000000000000000000a',
    incidentKey: 'k',
    summary: 'An revoked API token was used 3 time(s)\r\nBcc: evil@example.com',
    details: {},
    firstSeenAt: '2030-01-01T10:00:00.000Z',
    notifyEmails: ['a@example.com', 'b@example.com'],
    ...over,
  },
});

describe('security-alert email', () => {
  it('goes to the owners, names the kind, token and time, on one line per fact (no header injection)', () => {
    const mail = renderEventMail(alert(), { publicUrl: 'https://dispatch.example.com/' });
    expect(mail?.to).toBe('a@example.com, b@example.com');
    expect(mail?.subject).toBe(SECURITY_ALERT_SUBJECT);
    expect(mail?.text).toContain('token.invalid_use, token tok_0000000000000000000000000a');
    expect(mail?.text).toContain('2030-01-01T10:00:00.000Z');
    expect(mail?.text).toContain('https://dispatch.example.com/settings/api-access');
    expect(mail?.text).not.toMatch(/\r\nBcc:/);
    expect(mail?.html).not.toContain('<script');
  });

  it('infrastructure alerts (no business, no recipients) send no email', () => {
    expect(renderEventMail(alert({ businessId: null, kind: 'infra.redis_unavailable', notifyEmails: [] }), { publicUrl: 'http://x' })).toBeNull();
  });
});
