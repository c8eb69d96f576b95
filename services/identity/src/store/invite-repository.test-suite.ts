import { describe, expect, it } from 'vitest';
import { anInvite, plus, T0 } from '../test/fixtures.js';
import { DuplicateKeyError } from './errors.js';
import type { InviteRepository } from './invite-repository.js';

export function describeInviteRepositoryContract(name: string, factory: () => Promise<InviteRepository>): void {
  describe(`InviteRepository contract: ${name}`, () => {
    it('stores an invite and finds it by token hash', async () => {
      const repo = await factory();
      const invite = anInvite({ role: 'viewer' });
      await expect(repo.create(invite)).resolves.toEqual(invite);
      await expect(repo.findByTokenHash(invite.tokenHash)).resolves.toEqual(invite);
      await expect(repo.findByTokenHash(anInvite().tokenHash)).resolves.toBeNull();
    });

    it('rejects a duplicate token hash', async () => {
      const repo = await factory();
      const invite = anInvite();
      await repo.create(invite);
      const err = await repo.create(anInvite({ tokenHash: invite.tokenHash })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('tokenHash');
    });

    it('reads tenant data only within the given business', async () => {
      const repo = await factory();
      const first = anInvite({ createdAt: T0 });
      const second = anInvite({ businessId: first.businessId, createdAt: plus(T0, 5) });
      const other = anInvite();
      for (const i of [second, other, first]) await repo.create(i);
      await expect(repo.findInBusiness(first.businessId, first.id)).resolves.toEqual(first);
      await expect(repo.findInBusiness(other.businessId, first.id)).resolves.toBeNull();
      await expect(repo.listByBusiness(first.businessId)).resolves.toEqual([first, second]);
      await expect(repo.listByBusiness(other.businessId)).resolves.toEqual([other]);
    });

    it('claims an invite once, never when expired', async () => {
      const repo = await factory();
      const invite = anInvite({ expiresAt: plus(T0, 60_000) });
      await repo.create(invite);
      const now = plus(T0, 10);
      await expect(repo.markUsed(invite.id, now)).resolves.toEqual({ ...invite, usedAt: now });
      await expect(repo.markUsed(invite.id, plus(now, 1))).resolves.toBeNull();

      const expired = anInvite({ expiresAt: plus(T0, 60_000) });
      await repo.create(expired);
      await expect(repo.markUsed(expired.id, plus(T0, 60_001))).resolves.toBeNull();
      await expect(repo.findByTokenHash(expired.tokenHash)).resolves.toMatchObject({ usedAt: null });
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const repo = await factory();
      const invite = anInvite();
      await repo.create(invite);
      const now = plus(T0, 1);
      const results = await Promise.all(Array.from({ length: 8 }, () => repo.markUsed(invite.id, now)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      await expect(repo.markUsed(invite.id, plus(now, 1))).resolves.toBeNull();
    });

    it('releases only its own claim', async () => {
      const repo = await factory();
      const invite = anInvite();
      await repo.create(invite);
      const usedAt = plus(T0, 10);
      await repo.markUsed(invite.id, usedAt);
      await repo.releaseUse(invite.id, plus(T0, 11));
      await expect(repo.findByTokenHash(invite.tokenHash)).resolves.toMatchObject({ usedAt });
      await repo.releaseUse(invite.id, usedAt);
      await expect(repo.findByTokenHash(invite.tokenHash)).resolves.toMatchObject({ usedAt: null });
      await expect(repo.markUsed(invite.id, plus(T0, 20))).resolves.toMatchObject({ usedAt: plus(T0, 20) });
    });

    it('deletes an invite', async () => {
      const repo = await factory();
      const invite = anInvite();
      await repo.create(invite);
      await repo.delete(invite.id);
      await expect(repo.findByTokenHash(invite.tokenHash)).resolves.toBeNull();
      await expect(repo.findInBusiness(invite.businessId, invite.id)).resolves.toBeNull();
    });
  });
}
