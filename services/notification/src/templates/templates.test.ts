import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventPayload, EventType } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { renderEventMail, tokenLink } from './index.js';

const ctx = { publicUrl: 'https://dispatch.example.com/' };
const event = <T extends EventType>(type: T, data: EventPayload<T>): DomainEvent<T> => ({
  id: newId('evt'),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  data,
});

// A token with characters that must be encoded in a URL.
const rawToken = 'vt_Ab+c/d=e&f?g h%';
const encoded = encodeURIComponent(rawToken);

describe('templates', () => {
  it('tokenLink URL-encodes the token and trims the trailing slash', () => {
    expect(tokenLink('http://localhost:8080/', '/verify', 'a+b/c=')).toBe('http://localhost:8080/verify#token=a%2Bb%2Fc%3D');
    expect(tokenLink('http://x', '/invite', 'plain-token_1.2')).toBe('http://x/invite#token=plain-token_1.2');
  });

  it('user.registered → verification mail with link, the token on its own line, and the expiry', () => {
    const mail = renderEventMail(
      event('user.registered', {
        userId: newId('usr'),
        businessId: newId('biz'),
        email: 'ada@example.com',
        firstName: 'Ada',
        verificationToken: rawToken,
        verificationExpiresAt: '2030-01-02T03:04:05.000Z',
      }),
      ctx,
    );
    expect(mail).not.toBeNull();
    if (!mail) return;
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Verify your Dispatch account');
    const lines = mail.text.split('\n');
    expect(lines).toContain(`https://dispatch.example.com/verify#token=${encoded}`);
    expect(lines).toContain(rawToken);
    expect(mail.text).toContain('Hi Ada,');
    expect(mail.text).toContain('POST /api/user/verify');
    expect(mail.text).toContain('Wed, 02 Jan 2030 03:04:05 GMT');
    // the raw (unencoded) token never appears inside a link
    expect(mail.text).not.toContain(`token=${rawToken}`);
    // HTML: link with the encoded token (attribute-escaped), token text escaped
    expect(mail.html).toContain(`href="https://dispatch.example.com/verify#token=${encoded}"`);
    expect(mail.html).toContain('vt_Ab+c/d=e&amp;f?g h%');
  });

  it('user.registration_duplicate → a notice without any token', () => {
    const mail = renderEventMail(event('user.registration_duplicate', { email: 'ada@example.com', firstName: 'Ada' }), ctx);
    expect(mail?.subject).toBe('Someone tried to register with your address');
    expect(mail?.to).toBe('ada@example.com');
    expect(mail?.text).not.toMatch(/token/i);
    expect(mail?.text).toContain('https://dispatch.example.com/login');
  });

  it('member.invited → invite link with business name and role', () => {
    const mail = renderEventMail(
      event('member.invited', {
        businessId: newId('biz'),
        businessName: 'Acme <Logistics>',
        email: 'bob@example.com',
        role: 'developer',
        invitedBy: newId('usr'),
        inviteToken: rawToken,
        expiresAt: '2030-01-09T00:00:00.000Z',
      }),
      ctx,
    );
    expect(mail).not.toBeNull();
    if (!mail) return;
    expect(mail.to).toBe('bob@example.com');
    expect(mail.subject).toContain('Acme <Logistics>');
    expect(mail.text.split('\n')).toContain(`https://dispatch.example.com/invite#token=${encoded}`);
    expect(mail.text.split('\n')).toContain(rawToken);
    expect(mail.text).toContain('join Acme <Logistics> on Dispatch as developer');
    expect(mail.text).toContain('Wed, 09 Jan 2030 00:00:00 GMT');
    expect(mail.html).toContain('Acme &lt;Logistics&gt;');
    expect(mail.html).not.toContain('<Logistics>');
  });

  it('user.verified (and token events) send no mail', () => {
    expect(renderEventMail(event('user.verified', { userId: newId('usr'), email: 'ada@example.com' }), ctx)).toBeNull();
    expect(
      renderEventMail(
        event('token.created', {
          businessId: newId('biz'),
          tokenId: newId('tok'),
          description: 'ci',
          createdBy: newId('usr'),
          scopes: ['*'],
          expiresAt: null,
          notifyEmails: [],
        }),
        ctx,
      ),
    ).toBeNull();
  });

  it('token.created / revoked / rotated → a security notice to every owner, never a secret', () => {
    const tokenId = newId('tok');
    const created = renderEventMail(
      event('token.created', {
        businessId: newId('biz'),
        tokenId,
        description: 'Orders <sync>',
        createdBy: newId('usr'),
        scopes: ['orders:read'],
        expiresAt: '2030-01-02T03:04:05.000Z',
        notifyEmails: ['a@example.com', 'b@example.com'],
      }),
      ctx,
    );
    expect(created?.to).toBe('a@example.com, b@example.com');
    expect(created?.subject).toBe('Security notice: a new API token was created');
    expect(created?.text).toContain(tokenId);
    expect(created?.text).toContain('Orders <sync>');
    expect(created?.text).toContain('orders:read');
    expect(created?.html).toContain('Orders &lt;sync&gt;');
    const revoked = renderEventMail(
      event('token.revoked', { businessId: newId('biz'), tokenId, revokedBy: newId('usr'), description: 'x', reason: 'leaked', notifyEmails: ['a@example.com'] }),
      ctx,
    );
    expect(revoked?.subject).toBe('Security notice: an API token was revoked');
    expect(revoked?.text).toContain('Reason given: leaked');
    const rotated = renderEventMail(
      event('token.rotated', {
        businessId: newId('biz'),
        tokenId,
        newTokenId: newId('tok'),
        description: 'x',
        rotatedBy: newId('usr'),
        graceEndsAt: '2030-01-02T03:04:05.000Z',
        notifyEmails: ['a@example.com'],
      }),
      ctx,
    );
    expect(rotated?.text).toContain('Wed, 02 Jan 2030 03:04:05 GMT');
  });
});
