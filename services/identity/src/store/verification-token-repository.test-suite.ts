import { describe, expect, it } from 'vitest';
import { aVerificationToken, plus, T0 } from '../test/fixtures.js';
import { DuplicateKeyError } from './errors.js';
import type { VerificationTokenRepository } from './verification-token-repository.js';

export function describeVerificationTokenRepositoryContract(name: string, factory: () => Promise<VerificationTokenRepository>): void {
  describe(`VerificationTokenRepository contract: ${name}`, () => {
    it('stores a token by hash and reads it back', async () => {
      const repo = await factory();
      const token = aVerificationToken();
      await expect(repo.create(token)).resolves.toEqual(token);
      await expect(repo.findByHash(token.tokenHash)).resolves.toEqual(token);
      await expect(repo.findByHash(aVerificationToken().tokenHash)).resolves.toBeNull();
    });

    it('keeps the registration attempt a token confirms', async () => {
      const repo = await factory();
      const registration = { passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', firstName: 'Vic', lastName: 'Tim' };
      const token = aVerificationToken({ registration });
      await repo.create(token);
      await expect(repo.findByHash(token.tokenHash)).resolves.toMatchObject({ registration });
      await expect(repo.markUsed(token.tokenHash, T0)).resolves.toMatchObject({ registration, usedAt: T0 });
    });

    it('rejects a duplicate hash', async () => {
      const repo = await factory();
      const token = aVerificationToken();
      await repo.create(token);
      const err = await repo.create(aVerificationToken({ tokenHash: token.tokenHash })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('tokenHash');
      await expect(repo.findByHash(token.tokenHash)).resolves.toEqual(token);
    });

    it('counts attempts', async () => {
      const repo = await factory();
      const token = aVerificationToken();
      await repo.create(token);
      await expect(repo.recordAttempt(token.tokenHash)).resolves.toMatchObject({ attempts: 1 });
      await expect(repo.recordAttempt(token.tokenHash)).resolves.toMatchObject({ attempts: 2 });
      await expect(repo.findByHash(token.tokenHash)).resolves.toMatchObject({ attempts: 2, usedAt: null });
      await expect(repo.recordAttempt(aVerificationToken().tokenHash)).resolves.toBeNull();
    });

    it('marks a token used once, never when expired or unknown', async () => {
      const repo = await factory();
      const token = aVerificationToken({ expiresAt: plus(T0, 60_000) });
      await repo.create(token);
      const now = plus(T0, 1000);
      await expect(repo.markUsed(token.tokenHash, now)).resolves.toEqual({ ...token, usedAt: now });
      await expect(repo.markUsed(token.tokenHash, plus(now, 1))).resolves.toBeNull();
      await expect(repo.findByHash(token.tokenHash)).resolves.toMatchObject({ usedAt: now });

      const expired = aVerificationToken({ expiresAt: plus(T0, 60_000) });
      await repo.create(expired);
      await expect(repo.markUsed(expired.tokenHash, plus(T0, 60_000))).resolves.toBeNull();
      await expect(repo.findByHash(expired.tokenHash)).resolves.toMatchObject({ usedAt: null });
      await expect(repo.markUsed(aVerificationToken().tokenHash, now)).resolves.toBeNull();
    });

    it('lets exactly one of many concurrent uses win', async () => {
      const repo = await factory();
      const token = aVerificationToken();
      await repo.create(token);
      // Same instant for all: a guard on the stored value alone must still let only one through.
      const now = plus(T0, 1);
      const results = await Promise.all(Array.from({ length: 8 }, () => repo.markUsed(token.tokenHash, now)));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      await expect(repo.markUsed(token.tokenHash, plus(now, 1))).resolves.toBeNull();
    });

    it("marks all of one user's unused tokens used, and only those", async () => {
      const repo = await factory();
      const a1 = aVerificationToken();
      const a2 = aVerificationToken({ userId: a1.userId });
      const a3 = aVerificationToken({ userId: a1.userId });
      const b = aVerificationToken();
      for (const t of [a1, a2, a3, b]) await repo.create(t);
      const earlier = plus(T0, 10);
      await expect(repo.markUsed(a3.tokenHash, earlier)).resolves.not.toBeNull();
      const now = plus(T0, 20);
      await expect(repo.markAllUsedByUser(a1.userId, now)).resolves.toBe(2);
      await expect(repo.findByHash(a1.tokenHash)).resolves.toMatchObject({ usedAt: now });
      await expect(repo.findByHash(a2.tokenHash)).resolves.toMatchObject({ usedAt: now });
      await expect(repo.findByHash(a3.tokenHash)).resolves.toMatchObject({ usedAt: earlier });
      await expect(repo.findByHash(b.tokenHash)).resolves.toEqual(b);
      await expect(repo.markUsed(a1.tokenHash, plus(now, 1))).resolves.toBeNull();
      await expect(repo.markAllUsedByUser(a1.userId, plus(now, 1))).resolves.toBe(0);
    });

    it("deletes all of one user's tokens only", async () => {
      const repo = await factory();
      const a1 = aVerificationToken();
      const a2 = aVerificationToken({ userId: a1.userId });
      const b = aVerificationToken();
      for (const t of [a1, a2, b]) await repo.create(t);
      await repo.deleteByUser(a1.userId);
      await expect(repo.findByHash(a1.tokenHash)).resolves.toBeNull();
      await expect(repo.findByHash(a2.tokenHash)).resolves.toBeNull();
      await expect(repo.findByHash(b.tokenHash)).resolves.toEqual(b);
    });
  });
}
