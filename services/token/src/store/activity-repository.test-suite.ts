import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@dispatch/runtime';
import type { ActivityEntity, ActivityRepository } from './activity-repository.js';

/** The one contract every ActivityRepository implementation must pass. */
export function describeActivityRepositoryContract(name: string, factory: () => ActivityRepository | Promise<ActivityRepository>): void {
  describe(`ActivityRepository contract: ${name}`, () => {
    let repo: ActivityRepository;
    beforeEach(async () => {
      repo = await factory();
    });

    it('stores entries once by id and reads a token window [from, to) of its business', async () => {
      const businessId = newId('biz');
      const tokenId = newId('tok');
      const event = newId('evt');
      const entry = (i: number, over: Partial<ActivityEntity> = {}): ActivityEntity => ({
        id: `${event}:${i}`,
        businessId,
        tokenId,
        minute: new Date(Date.UTC(2030, 0, 1, 0, i)),
        method: 'GET',
        route: '/api/v1/Orders',
        status: 200,
        ip: '198.51.100.1',
        count: i + 1,
        ...over,
      });
      const entries = [entry(0), entry(1), entry(2), entry(3, { tokenId: newId('tok') }), entry(4, { businessId: newId('biz') })];
      await repo.insert(entries);
      await repo.insert(entries); // a redelivered event
      const got = await repo.query(businessId, tokenId, new Date(Date.UTC(2030, 0, 1, 0, 1)), new Date(Date.UTC(2030, 0, 1, 0, 5)));
      expect(got.sort((a, b) => a.minute.getTime() - b.minute.getTime())).toEqual([entry(1), entry(2)]);
    });

    it('reads one status of a business across its tokens in a window', async () => {
      const businessId = newId('biz');
      const event = newId('evt');
      const at = (min: number) => new Date(Date.UTC(2031, 0, 1, 0, min));
      const base = { businessId, method: 'GET', route: '/api/v1/Orders', ip: '198.51.100.1' };
      const entries: ActivityEntity[] = [
        { ...base, id: `${event}:0`, tokenId: newId('tok'), minute: at(1), status: 401, count: 3 },
        { ...base, id: `${event}:1`, tokenId: newId('tok'), minute: at(1), status: 401, count: 4 },
        { ...base, id: `${event}:2`, tokenId: newId('tok'), minute: at(1), status: 200, count: 5 },
        { ...base, id: `${event}:3`, tokenId: newId('tok'), minute: at(2), status: 401, count: 6 },
        { ...base, id: `${event}:4`, tokenId: newId('tok'), minute: at(1), status: 401, count: 7, businessId: newId('biz') },
      ];
      await repo.insert(entries);
      const got = await repo.queryBusinessStatus(businessId, 401, at(1), at(2));
      expect(got.map((e) => e.count).sort()).toEqual([3, 4]);
      const some = await repo.queryTokens(businessId, [entries[0]?.tokenId ?? '', entries[3]?.tokenId ?? '', entries[4]?.tokenId ?? ''], at(1), at(3));
      expect(some.map((e) => e.count).sort()).toEqual([3, 6]); // not the other business's token
      expect(await repo.queryTokens(businessId, [], at(1), at(3))).toEqual([]);
    });
  });
}
