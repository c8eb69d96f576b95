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
