import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@dispatch/runtime';
import type { SessionEntity, SessionRepository } from './session-repository.js';

export function makeSession(overrides: Partial<SessionEntity> = {}): SessionEntity {
  return {
    id: newId('ses'),
    userId: newId('usr'),
    businessId: newId('biz'),
    role: 'developer',
    tokenHash: randomBytes(32).toString('hex'),
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
    expiresAt: new Date('2025-01-02T11:04:05.000Z'),
    revokedAt: null,
    ...overrides,
  };
}

/** The one contract every SessionRepository implementation must pass. */
export function describeSessionRepositoryContract(name: string, factory: () => SessionRepository | Promise<SessionRepository>): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let repo: SessionRepository;
    beforeEach(async () => {
      repo = await factory();
    });

    it('stores a session and reads it back exactly, scoped to its business', async () => {
      const session = makeSession({ role: 'owner' });
      await repo.create(session);
      expect(await repo.get(session.businessId, session.id)).toEqual(session);
      expect(await repo.get(newId('biz'), session.id)).toBeNull();
      expect(await repo.get(session.businessId, newId('ses'))).toBeNull();
    });

    it('rejects a duplicate id with CONFLICT', async () => {
      const session = makeSession();
      await repo.create(session);
      await expect(repo.create(makeSession({ id: session.id }))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await repo.get(session.businessId, session.id)).toEqual(session);
    });

    it('revokes the owner session once and keeps the first revokedAt', async () => {
      const session = makeSession();
      await repo.create(session);
      const first = await repo.revoke(session.userId, session.id, new Date('2025-01-02T04:00:00.000Z'));
      expect(first).toEqual({ ...session, revokedAt: new Date('2025-01-02T04:00:00.000Z') });
      const second = await repo.revoke(session.userId, session.id, new Date('2025-01-02T05:00:00.000Z'));
      expect(second).toEqual(first);
      expect(await repo.get(session.businessId, session.id)).toEqual(first);
    });

    it('does not revoke another user session or an unknown id', async () => {
      const session = makeSession();
      await repo.create(session);
      expect(await repo.revoke(newId('usr'), session.id, new Date())).toBeNull();
      expect(await repo.revoke(session.userId, newId('ses'), new Date())).toBeNull();
      expect(await repo.get(session.businessId, session.id)).toEqual(session);
    });

    it("lists a user's active sessions newest first, never others'", async () => {
      const userId = newId('usr');
      const now = new Date('2025-01-02T06:00:00.000Z');
      const older = makeSession({ userId, createdAt: new Date('2025-01-02T03:00:00.000Z') });
      const newer = makeSession({ userId, createdAt: new Date('2025-01-02T05:00:00.000Z') });
      const revoked = makeSession({ userId, revokedAt: new Date('2025-01-02T05:30:00.000Z') });
      const expired = makeSession({ userId, expiresAt: now });
      const other = makeSession();
      for (const s of [older, newer, revoked, expired, other]) await repo.create(s);
      expect(await repo.listActiveByUser(userId, now)).toEqual([newer, older]);
      expect(await repo.listActiveByUser(newId('usr'), now)).toEqual([]);
    });

    it("revokes all of a user's active sessions but the one kept, and counts them", async () => {
      const userId = newId('usr');
      const at = new Date('2025-01-02T06:00:00.000Z');
      const earlier = new Date('2025-01-02T05:00:00.000Z');
      const keep = makeSession({ userId });
      const a = makeSession({ userId });
      const b = makeSession({ userId });
      const already = makeSession({ userId, revokedAt: earlier });
      const expired = makeSession({ userId, expiresAt: at });
      const other = makeSession();
      for (const s of [keep, a, b, already, expired, other]) await repo.create(s);
      expect(await repo.revokeAllForUser(userId, at, keep.id)).toBe(2);
      expect(await repo.get(a.businessId, a.id)).toEqual({ ...a, revokedAt: at });
      expect(await repo.get(b.businessId, b.id)).toEqual({ ...b, revokedAt: at });
      expect(await repo.get(keep.businessId, keep.id)).toEqual(keep);
      expect(await repo.get(already.businessId, already.id)).toEqual(already);
      expect(await repo.get(expired.businessId, expired.id)).toEqual(expired);
      expect(await repo.get(other.businessId, other.id)).toEqual(other);
      // Without an exception the kept one goes too; a second call finds nothing left.
      expect(await repo.revokeAllForUser(userId, at)).toBe(1);
      expect(await repo.get(keep.businessId, keep.id)).toEqual({ ...keep, revokedAt: at });
      expect(await repo.revokeAllForUser(userId, at)).toBe(0);
    });

    it('deletes only sessions that expired before the cut-off', async () => {
      const businessId = newId('biz');
      const expired = makeSession({ businessId, expiresAt: new Date('2001-01-01T00:00:00.000Z') });
      const live = makeSession({ businessId, expiresAt: new Date('2001-01-03T00:00:00.000Z') });
      await repo.create(expired);
      await repo.create(live);
      const deleted = await repo.deleteExpired(new Date('2001-01-02T00:00:00.000Z'));
      expect(deleted).toBe(1);
      expect(await repo.get(businessId, expired.id)).toBeNull();
      expect(await repo.get(businessId, live.id)).toEqual(live);
    });
  });
}
