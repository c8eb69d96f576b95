import { createHash, randomBytes } from 'node:crypto';
import { newId } from '@dispatch/runtime';
import type { BusinessRecord } from '../store/business-repository.js';
import type { InviteRecord } from '../store/invite-repository.js';
import type { UserRecord } from '../store/user-repository.js';
import type { VerificationTokenRecord } from '../store/verification-token-repository.js';

/** Whole-millisecond dates survive every store unchanged. */
export const at = (iso: string): Date => new Date(iso);
export const T0 = at('2030-01-01T00:00:00.000Z');
export const plus = (d: Date, ms: number): Date => new Date(d.getTime() + ms);

export const randomHash = (): string => createHash('sha256').update(randomBytes(32)).digest('hex');

export function aUser(over: Partial<UserRecord> = {}): UserRecord {
  return {
    id: newId('usr'),
    email: `${randomBytes(6).toString('hex')}@example.com`,
    passwordHash: 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2g=',
    firstName: 'Ada',
    lastName: 'Lovelace',
    emailVerified: false,
    businessId: newId('biz'),
    role: 'owner',
    createdAt: T0,
    ...over,
  };
}

export function aBusiness(over: Partial<BusinessRecord> = {}): BusinessRecord {
  return { id: newId('biz'), name: "Ada's business", ownerId: newId('usr'), createdAt: T0, ...over };
}

export function aVerificationToken(over: Partial<VerificationTokenRecord> = {}): VerificationTokenRecord {
  return { tokenHash: randomHash(), userId: newId('usr'), expiresAt: plus(T0, 3600_000), usedAt: null, attempts: 0, createdAt: T0, registration: null, ...over };
}

export function anInvite(over: Partial<InviteRecord> = {}): InviteRecord {
  return {
    id: newId('inv'),
    tokenHash: randomHash(),
    businessId: newId('biz'),
    email: `${randomBytes(6).toString('hex')}@example.com`,
    role: 'developer',
    invitedBy: newId('usr'),
    expiresAt: plus(T0, 3600_000),
    usedAt: null,
    createdAt: T0,
    ...over,
  };
}

/** Outcome of a rejected promise, for asserting on concurrent results. */
export async function settle<T>(promises: Promise<T>[]): Promise<{ ok: T[]; failed: unknown[] }> {
  const results = await Promise.allSettled(promises);
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    failed: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}
