import { describe, expect, it } from 'vitest';
import { aBusiness } from '../test/fixtures.js';
import type { BusinessRepository } from './business-repository.js';
import { DuplicateKeyError } from './errors.js';

export function describeBusinessRepositoryContract(name: string, factory: () => Promise<BusinessRepository>): void {
  describe(`BusinessRepository contract: ${name}`, () => {
    it('stores a business and reads it back', async () => {
      const repo = await factory();
      const business = aBusiness();
      await expect(repo.create(business)).resolves.toEqual(business);
      await expect(repo.findById(business.id)).resolves.toEqual(business);
      await expect(repo.findById(aBusiness().id)).resolves.toBeNull();
    });

    it('rejects a duplicate id', async () => {
      const repo = await factory();
      const business = aBusiness();
      await repo.create(business);
      const err = await repo.create(aBusiness({ id: business.id, name: 'Other' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateKeyError);
      expect((err as DuplicateKeyError).key).toBe('id');
      await expect(repo.findById(business.id)).resolves.toEqual(business);
    });

    it('deletes a business', async () => {
      const repo = await factory();
      const keep = aBusiness();
      const drop = aBusiness();
      await repo.create(keep);
      await repo.create(drop);
      await repo.delete(drop.id);
      await expect(repo.findById(drop.id)).resolves.toBeNull();
      await expect(repo.findById(keep.id)).resolves.toEqual(keep);
    });
  });
}
