import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventPayload, EventType } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { mailedEventTypes, renderEventMail } from './index.js';

const ctx = { publicUrl: 'https://dispatch.example.com/' };
const event = <T extends EventType>(type: T, data: EventPayload<T>): DomainEvent<T> => ({
  id: newId('evt'),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  data,
});
const rawToken = 'rt_Ab+c/d=e&f?g h%';
const encoded = encodeURIComponent(rawToken);

describe('account mails', () => {
  it('mails the three account events', () => {
    expect(mailedEventTypes).toEqual(expect.arrayContaining(['user.verification_resent', 'user.password_reset_requested', 'user.password_changed']));
  });

  it('user.verification_resent → the verification mail with the fresh token', () => {
    const mail = renderEventMail(
      event('user.verification_resent', {
        userId: newId('usr'),
        email: 'ada@example.com',
        firstName: 'Ada',
        verificationToken: rawToken,
        verificationExpiresAt: '2030-01-02T03:04:05.000Z',
      }),
      ctx,
    );
    expect(mail?.to).toBe('ada@example.com');
    expect(mail?.subject).toBe('Verify your Dispatch account');
    expect(mail?.text.split('\n')).toContain(`https://dispatch.example.com/verify#token=${encoded}`);
    expect(mail?.text.split('\n')).toContain(rawToken);
    expect(mail?.text).toContain('Wed, 02 Jan 2030 03:04:05 GMT');
  });

  it('user.password_reset_requested → reset link, the token, the expiry and the reset endpoint', () => {
    const mail = renderEventMail(
      event('user.password_reset_requested', {
        userId: newId('usr'),
        email: 'ada@example.com',
        firstName: 'Ada <b>',
        resetToken: rawToken,
        expiresAt: '2030-01-02T04:04:05.000Z',
      }),
      ctx,
    );
    expect(mail).not.toBeNull();
    if (!mail) return;
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Reset your Dispatch password');
    const lines = mail.text.split('\n');
    expect(lines).toContain(`https://dispatch.example.com/reset-password#token=${encoded}`);
    expect(lines).toContain(rawToken);
    expect(mail.text).toContain('POST /api/user/password/reset');
    expect(mail.text).toContain('Wed, 02 Jan 2030 04:04:05 GMT');
    expect(mail.text).not.toContain(`token=${rawToken}`);
    expect(mail.html).toContain(`href="https://dispatch.example.com/reset-password#token=${encoded}"`);
    expect(mail.html).toContain('Ada &lt;b&gt;');
    expect(mail.html).not.toContain('Ada <b>');
  });

  it.each([
    ['change', 'was just changed. Your other sessions were signed out.'],
    ['reset', 'was just reset with a link sent to this address. Every session was signed out.'],
  ] as const)('user.password_changed (%s) → a notice without any token', (method, sentence) => {
    const mail = renderEventMail(event('user.password_changed', { userId: newId('usr'), email: 'ada@example.com', firstName: 'Ada', method }), ctx);
    expect(mail?.to).toBe('ada@example.com');
    expect(mail?.subject).toBe('Your Dispatch password was changed');
    expect(mail?.text).toContain(sentence);
    expect(mail?.text).toContain('https://dispatch.example.com/forgot-password');
    expect(mail?.text).not.toMatch(/token/i);
  });
});
