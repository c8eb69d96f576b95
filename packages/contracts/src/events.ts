import { z } from 'zod';
import { BusinessId, Email, EventId, Role, TokenId, UserId } from './common.js';

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
  'member.invited': z.object({
    businessId: BusinessId,
    businessName: z.string(),
    email: Email,
    role: Role,
    invitedBy: UserId,
    inviteToken: z.string(),
    expiresAt: z.string(),
  }),
  'token.created': z.object({ businessId: BusinessId, tokenId: TokenId, description: z.string(), createdBy: UserId }),
  'token.revoked': z.object({ businessId: BusinessId, tokenId: TokenId, revokedBy: UserId }),
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
