import { z } from 'zod';
import { BusinessId, Email, EventId, Role, TokenId, UserId } from './common.js';
import { AlertKind } from './messages/alerts.js';

/**
 * Domain events: published on JetStream (`<namespace>.evt.<type>`), consumed durably.
 * The payload is versioned; consumers validate it with these schemas.
 */
export const eventPayloads = {
  'user.registered': z.object({
    userId: UserId,
    businessId: BusinessId,
    email: Email,
    firstName: z.string(),
    /** Single-use; only its hash is stored by identity. Expires at `verificationExpiresAt`. */
    verificationToken: z.string(),
    verificationExpiresAt: z.string(),
  }),
  'user.registration_duplicate': z.object({ email: Email, firstName: z.string() }),
  'user.verified': z.object({ userId: UserId, email: Email }),
  /** A fresh verification token for an unverified account (POST /api/user/verify/resend); only its hash is stored. */
  'user.verification_resent': z.object({
    userId: UserId,
    email: Email,
    firstName: z.string(),
    verificationToken: z.string(),
    verificationExpiresAt: z.string(),
  }),
  /** A single-use password-reset token (POST /api/user/password/forgot); only its hash is stored. */
  'user.password_reset_requested': z.object({
    userId: UserId,
    email: Email,
    firstName: z.string(),
    resetToken: z.string(),
    expiresAt: z.string(),
  }),
  /** The password was changed (with the current one) or reset (with an emailed token): a security notice. */
  'user.password_changed': z.object({
    userId: UserId,
    email: Email,
    firstName: z.string(),
    method: z.enum(['change', 'reset']),
  }),
  'member.invited': z.object({
    businessId: BusinessId,
    businessName: z.string(),
    email: Email,
    role: Role,
    invitedBy: UserId,
    inviteToken: z.string(),
    expiresAt: z.string(),
  }),
  /**
   * An invite to an address that already has an account: the inviter gets the same answer as for
   * any address (no account enumeration) and no invite is created; the address owner is told.
   */
  'member.invite_existing_account': z.object({
    email: Email,
    /** The address owner's own first name (never text the inviter chose). */
    firstName: z.string(),
    businessName: z.string(),
  }),
  'token.created': z.object({
    businessId: BusinessId,
    tokenId: TokenId,
    description: z.string(),
    createdBy: UserId,
    /** Optional fields were added in v1 later; absent means: `['*']`, no expiry, nobody to notify. */
    scopes: z.array(z.string()).optional(),
    expiresAt: z.string().nullable().optional(),
    /** The business owners' addresses for the security notice (resolved by the token service). */
    notifyEmails: z.array(Email).optional(),
  }),
  'token.revoked': z.object({
    businessId: BusinessId,
    tokenId: TokenId,
    revokedBy: UserId,
    description: z.string().optional(),
    reason: z.string().nullable().optional(),
    notifyEmails: z.array(Email).optional(),
  }),
  'token.rotated': z.object({
    businessId: BusinessId,
    tokenId: TokenId,
    newTokenId: TokenId,
    description: z.string(),
    rotatedBy: UserId,
    graceEndsAt: z.string(),
    notifyEmails: z.array(Email).default([]),
  }),
  /**
   * Calls seen by one edge instance since its last flush, aggregated per token, minute,
   * method + route, status and client IP (one event per flush, never one per request).
   */
  'usage.recorded': z.object({
    source: z.string().max(200),
    entries: z
      .array(
        z.object({
          businessId: BusinessId,
          tokenId: TokenId,
          minute: z.string(),
          method: z.string().max(16),
          route: z.string().max(300),
          status: z.number().int().min(100).max(599),
          ip: z.string().max(64),
          count: z.number().int().positive(),
        }),
      )
      .max(2000),
  }),
  /**
   * Suspicious activity (or an infrastructure problem) was detected. One event per incident:
   * the event id is derived from `incidentKey`, so every publisher of one incident publishes one id.
   */
  'alert.raised': z.object({
    alertId: z.string().max(100),
    /** Null for infrastructure alerts, which belong to no business. */
    businessId: BusinessId.nullable(),
    kind: AlertKind,
    tokenId: TokenId.nullable().optional(),
    incidentKey: z.string().max(300),
    summary: z.string().max(500),
    details: z.record(z.string(), z.unknown()),
    firstSeenAt: z.string(),
    /** The business owners' addresses for the security email (resolved by the detector). */
    notifyEmails: z.array(Email).default([]),
  }),
} as const;

export type EventType = keyof typeof eventPayloads;
export const eventTypes = Object.keys(eventPayloads) as EventType[];
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;

export const EventEnvelope = z.object({
  id: EventId,
  type: z.enum(eventTypes as [EventType, ...EventType[]]),
  version: z.literal(1),
  occurredAt: z.string(),
  requestId: z.string().optional(),
  data: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  version: 1;
  occurredAt: string;
  requestId?: string;
  data: EventPayload<T>;
}

/** Parses an envelope and its payload; throws a ZodError when either is wrong. */
export function parseEvent(raw: unknown): DomainEvent {
  const envelope = EventEnvelope.parse(raw);
  const data = eventPayloads[envelope.type].parse(envelope.data);
  return { ...envelope, data } as DomainEvent;
}
