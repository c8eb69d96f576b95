import { beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@dispatch/runtime';
import type { AuditEntity, AuditRepository } from './audit-repository.js';

export function makeAudit(overrides: Partial<AuditEntity> = {}): AuditEntity {
  const id = newId('aud');
  return {
    id,
    businessId: newId('biz'),
    tokenId: newId('tok'),
    action: 'token.created',
    actorType: 'user',
    actorId: newId('usr'),
    at: new Date('2030-01-01T00:00:00.000Z'),
    clientIp: '203.0.113.7',
    route: null,
    count: 1,
    details: { description: 'CI' },
    dedupeKey: id,
    ...overrides,
  };
}

/** The one contract every AuditRepository implementation must pass. */
export function describeAuditRepositoryContract(name: string, factory: () => AuditRepository | Promise<AuditRepository>): void {
  describe(`AuditRepository contract: ${name}`, () => {
    let repo: AuditRepository;
    beforeEach(async () => {
      repo = await factory();
    });

    it('lists a business newest first, paginated, optionally per token', async () => {
      const businessId = newId('biz');
      const tokenId = newId('tok');
      const records = Array.from({ length: 7 }, (_, i) =>
        makeAudit({ businessId, tokenId: i % 2 === 0 ? tokenId : newId('tok'), at: new Date(Date.UTC(2030, 0, 1, 0, 0, i % 3)) }),
      );
      await repo.append(records);
      await repo.append([makeAudit()]);
      const expected = [...records].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1));
      const seen: AuditEntity[] = [];
      let before: { at: Date; id: string } | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await repo.list(businessId, { limit: 3, ...(before ? { before } : {}) });
        seen.push(...result.records);
        if (!result.next) break;
        before = result.next;
      }
      expect(seen).toEqual(expected);
      const perToken = await repo.list(businessId, { tokenId, limit: 100 });
      expect(perToken.records.map((r) => r.id)).toEqual(expected.filter((r) => r.tokenId === tokenId).map((r) => r.id));
      expect(perToken.next).toBeNull();
      expect((await repo.list(newId('biz'), { limit: 10 })).records).toEqual([]);
    });

    it('stores a record once per dedupe key, also when appended concurrently', async () => {
      const businessId = newId('biz');
      const key = `expired:${newId('tok')}`;
      await Promise.all([0, 1, 2].map(() => repo.append([makeAudit({ businessId, dedupeKey: key }), makeAudit({ businessId })])));
      const all = (await repo.list(businessId, { limit: 100 })).records;
      expect(all.filter((r) => r.dedupeKey === key)).toHaveLength(1);
      expect(all).toHaveLength(4);
    });
  });
}
