import { describe, expect, it } from 'vitest';
import { EventEnvelope, eventPayloads, eventTypes, parseEvent } from './index.js';

const id = (prefix: string, c = 'a') => `${prefix}_${c.repeat(26)}`;

const envelope = (over: Record<string, unknown> = {}) => ({
  id: id('evt'),
  type: 'user.verified',
  version: 1,
  occurredAt: '2025-01-01T00:00:00.000Z',
  data: { userId: id('usr'), email: 'jane@example.com' },
  ...over,
});

describe('parseEvent', () => {
  it('parses a valid envelope and its payload', () => {
    const event = parseEvent(envelope({ requestId: 'req_1', data: { userId: id('usr'), email: ' Jane@Example.COM ' } }));
    expect(event).toEqual({
      id: id('evt'),
      type: 'user.verified',
      version: 1,
      occurredAt: '2025-01-01T00:00:00.000Z',
      requestId: 'req_1',
      data: { userId: id('usr'), email: 'jane@example.com' },
    });
  });

  it('strips unknown payload fields', () => {
    const event = parseEvent(envelope({ data: { userId: id('usr'), email: 'jane@example.com', password: 'x' } }));
    expect(event.data).toEqual({ userId: id('usr'), email: 'jane@example.com' });
  });

  it.each(['user.deleted', 'evt', '', 'user.verified.extra', 42])('rejects the unknown type %j', (type) => {
    expect(() => parseEvent(envelope({ type }))).toThrow();
  });

  it('rejects a payload that does not match its type', () => {
    expect(() => parseEvent(envelope({ data: { userId: 'nope', email: 'jane@example.com' } }))).toThrow();
    expect(() => parseEvent(envelope({ data: { userId: id('usr') } }))).toThrow();
    expect(() => parseEvent(envelope({ data: null }))).toThrow();
    // A valid payload of another type is still wrong.
    expect(() => parseEvent(envelope({ type: 'token.revoked' }))).toThrow();
  });

  it('rejects a bad envelope', () => {
    expect(() => parseEvent(envelope({ version: 2 }))).toThrow();
    expect(() => parseEvent(envelope({ id: 'evt_short' }))).toThrow();
    expect(() => parseEvent(envelope({ id: id('usr') }))).toThrow();
    expect(() => parseEvent(envelope({ occurredAt: undefined }))).toThrow();
    expect(() => parseEvent(null)).toThrow();
    expect(() => parseEvent('{}')).toThrow();
  });

  it('every event type has a payload schema and the envelope accepts it', () => {
    expect(Object.keys(eventPayloads).sort()).toEqual([...eventTypes].sort());
    for (const type of eventTypes) expect(EventEnvelope.safeParse(envelope({ type })).success).toBe(true);
  });

  it('parses one valid sample of every event type', () => {
    const samples: Record<(typeof eventTypes)[number], unknown> = {
      'user.registered': {
        userId: id('usr'),
        businessId: id('biz'),
        email: 'a@example.com',
        firstName: 'A',
        verificationToken: 't',
        verificationExpiresAt: '2025-01-02T00:00:00.000Z',
      },
      'user.registration_duplicate': { email: 'a@example.com', firstName: 'A' },
      'user.verified': { userId: id('usr'), email: 'a@example.com' },
      'user.verification_resent': {
        userId: id('usr'),
        email: 'a@example.com',
        firstName: 'A',
        verificationToken: 't',
        verificationExpiresAt: '2025-01-02T00:00:00.000Z',
      },
      'user.password_reset_requested': {
        userId: id('usr'),
        email: 'a@example.com',
        firstName: 'A',
        resetToken: 't',
        expiresAt: '2025-01-01T01:00:00.000Z',
      },
      'user.password_changed': { userId: id('usr'), email: 'a@example.com', firstName: 'A', method: 'reset' },
      'member.invited': {
        businessId: id('biz'),
        businessName: 'Acme',
        email: 'b@example.com',
        role: 'viewer',
        invitedBy: id('usr'),
        inviteToken: 't',
        expiresAt: '2025-01-02T00:00:00.000Z',
      },
      'member.invite_existing_account': { email: 'owner@example.com', firstName: 'Ada', businessName: "Ada's business" },
      'token.created': { businessId: id('biz'), tokenId: id('tok'), description: 'd', createdBy: id('usr') },
      'token.revoked': { businessId: id('biz'), tokenId: id('tok'), revokedBy: id('usr') },
      'token.rotated': {
        businessId: id('biz'),
        tokenId: id('tok'),
        newTokenId: id('tok', 'b'),
        description: 'd',
        rotatedBy: id('usr'),
        graceEndsAt: '2025-01-02T00:00:00.000Z',
      },
      'usage.recorded': {
        source: 'edge-1',
        entries: [
          { businessId: id('biz'), tokenId: id('tok'), minute: '2025-01-01T00:00:00.000Z', method: 'GET', route: '/api/v1/Orders', status: 200, ip: '127.0.0.1', count: 3 },
        ],
      },
      'alert.raised': {
        alertId: 'alr_1',
        businessId: null,
        kind: 'infra.redis_unavailable',
        incidentKey: 'infra.redis_unavailable:2025-01-01T00:00:00.000Z',
        summary: 'Redis is unreachable',
        details: {},
        firstSeenAt: '2025-01-01T00:00:00.000Z',
      },
    };
    for (const type of eventTypes) expect(parseEvent(envelope({ type, data: samples[type] })).type).toBe(type);
  });

  it('alert.raised: kinds are a closed set; recipients default to none', () => {
    const base = { alertId: 'a', businessId: id('biz'), kind: 'token.rate_spike', incidentKey: 'k', summary: 's', details: { calls: 5 }, firstSeenAt: '2025-01-01T00:00:00.000Z' };
    const parsed = parseEvent(envelope({ type: 'alert.raised', data: base }));
    expect((parsed.data as { notifyEmails: string[] }).notifyEmails).toEqual([]);
    expect(() => parseEvent(envelope({ type: 'alert.raised', data: { ...base, kind: 'made.up' } }))).toThrow();
    expect(() => parseEvent(envelope({ type: 'alert.raised', data: { ...base, businessId: 'nope' } }))).toThrow();
  });
});
