import { describe, expect, it } from 'vitest';
import { newId } from '@dispatch/runtime';
import type { Role } from '@dispatch/contracts';
import { MemoryUserRepository } from '../store/memory-user-repository.js';
import { listOwners } from './list-owners.js';

describe('identity.listOwners', () => {
  it('returns the verified owners of the business only', async () => {
    const users = new MemoryUserRepository();
    const biz = newId('biz');
    const add = (email: string, role: Role, emailVerified = true, businessId = biz) =>
      users.create({
        id: newId('usr'),
        email,
        passwordHash: 'x',
        firstName: 'A',
        lastName: 'B',
        emailVerified,
        businessId,
        role,
        createdAt: new Date(),
      });
    const owner = await add('owner@example.com', 'owner');
    await add('admin@example.com', 'admin');
    await add('unverified-owner@example.com', 'owner', false);
    await add('other-owner@example.com', 'owner', true, newId('biz'));
    expect(await listOwners({ users }, { businessId: biz })).toEqual({ owners: [{ userId: owner.id, email: 'owner@example.com' }] });
    expect(await listOwners({ users }, { businessId: newId('biz') })).toEqual({ owners: [] });
  });
});
