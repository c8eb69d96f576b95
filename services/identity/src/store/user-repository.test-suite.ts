import { describe, expect, it } from 'vitest';
import { aUser, plus, settle, T0 } from '../test/fixtures.js';
import { DuplicateKeyError } from './errors.js';
import type { UserRepository } from './user-repository.js';

/** The behaviour every UserRepository must have; `factory` returns an empty repository. */
export function describeUserRepositoryContract(name: string, factory: () => Promise<UserRepository>): void {
  describe(`UserRepository contract: ${name}`, () => {
    it('stores a user and reads it back by id and by email', async () => {
      const repo = await factory();
      const user = aUser({ role: 'admin', emailVerified: true });
      await expect(repo.create(user)).resolves.toEqual(user);
      await expect(repo.findById(user.id)).resolves.toEqual(user);
      await expect(repo.findByEmail(user.email)).resolves.toEqual(user);
      await expect(repo.findById(aUser().id)).resolves.toBeNull();
      await expect(repo.findByEmail('nobody@example.com')).resolves.toBeNull();
    });

    it('rejects a second user with the same email and keeps the first', async () => {
      const repo = await factory();
      const first = aUser();
      await repo.create(first);
      const err = await repo.create(aUser({ email: first.email, firstName: 'Other' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('email');
      await expect(repo.findByEmail(first.email)).resolves.toEqual(first);
    });

    it('lets exactly one of many concurrent registrations of one email win', async () => {
      const repo = await factory();
      const email = aUser().email;
      const attempts = Array.from({ length: 6 }, () => aUser({ email }));
      const { ok, failed } = await settle(attempts.map((u) => repo.create(u)));
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(5);
      for (const e of failed) expect(e).toMatchObject({ name: 'DuplicateKeyError', key: 'email' });
      const stored = await repo.findByEmail(email);
      expect(stored?.id).toBe(ok[0]?.id);
    });

    it('reads tenant data only within the given business', async () => {
      const repo = await factory();
      const owner = aUser({ createdAt: T0 });
      const member = aUser({ businessId: owner.businessId, role: 'viewer', createdAt: plus(T0, 1000) });
      const stranger = aUser();
      for (const u of [member, owner, stranger]) await repo.create(u);
      await expect(repo.findInBusiness(owner.businessId, member.id)).resolves.toEqual(member);
      await expect(repo.findInBusiness(stranger.businessId, member.id)).resolves.toBeNull();
      await expect(repo.listByBusiness(owner.businessId)).resolves.toEqual([owner, member]);
      await expect(repo.listByBusiness(stranger.businessId)).resolves.toEqual([stranger]);
    });

    it('marks an email verified', async () => {
      const repo = await factory();
      const user = aUser();
      await repo.create(user);
      await expect(repo.markEmailVerified(user.id)).resolves.toEqual({ ...user, emailVerified: true });
      await expect(repo.findById(user.id)).resolves.toMatchObject({ emailVerified: true });
      await expect(repo.markEmailVerified(aUser().id)).resolves.toBeNull();
    });

    it('applies a verified registration attempt: password hash and names', async () => {
      const repo = await factory();
      const user = aUser();
      await repo.create(user);
      const registration = { passwordHash: 'scrypt$16384$8$1$bmV3$aGFzaA==', firstName: 'Vic', lastName: 'Tim' };
      await repo.applyRegistration(user.id, registration);
      await expect(repo.findById(user.id)).resolves.toEqual({ ...user, ...registration });
    });

    it('replaces a password hash', async () => {
      const repo = await factory();
      const user = aUser();
      await repo.create(user);
      await repo.updatePasswordHash(user.id, 'scrypt$2048$8$1$bmV3c2FsdG5ld3NhbHQ=$bmV3aGFzaG5ld2hhc2huZXdoYXNo');
      await expect(repo.findById(user.id)).resolves.toMatchObject({
        passwordHash: 'scrypt$2048$8$1$bmV3c2FsdG5ld3NhbHQ=$bmV3aGFzaG5ld2hhc2huZXdoYXNo',
      });
    });

    it('deletes a user and frees the email', async () => {
      const repo = await factory();
      const user = aUser();
      await repo.create(user);
      await repo.delete(user.id);
      await expect(repo.findById(user.id)).resolves.toBeNull();
      await expect(repo.findByEmail(user.email)).resolves.toBeNull();
      const again = aUser({ email: user.email });
      await expect(repo.create(again)).resolves.toEqual(again);
    });
  });
}
