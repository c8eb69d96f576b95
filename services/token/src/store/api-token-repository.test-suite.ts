import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DispatchError } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import type { ApiTokenEntity, ApiTokenRepository } from './api-token-repository.js';

const hash = () => randomBytes(32).toString('hex');

export function makeApiToken(overrides: Partial<ApiTokenEntity> = {}): ApiTokenEntity {
  return {
    id: newId('tok'),
    businessId: newId('biz'),
    tokenHash: hash(),
    description: 'CI deploys',
    createdBy: newId('usr'),
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    scopes: ['*'],
    revocationReason: null,
    rotatedFrom: null,
    rateLimit: null,
    ...overrides,
  };
}

/** The one contract every ApiTokenRepository implementation must pass. */
export function describeApiTokenRepositoryContract(name: string, factory: () => ApiTokenRepository | Promise<ApiTokenRepository>): void {
  describe(`ApiTokenRepository contract: ${name}`, () => {
    let repo: ApiTokenRepository;
    beforeEach(async () => {
      repo = await factory();
    });

    it('stores a token and reads it back exactly, scoped to its business', async () => {
      const token = makeApiToken({ expiresAt: new Date('2030-01-01T00:00:00.000Z') });
      await repo.create(token);
      expect(await repo.get(token.businessId, token.id)).toEqual(token);
      expect(await repo.get(newId('biz'), token.id)).toBeNull();
      expect(await repo.get(token.businessId, newId('tok'))).toBeNull();
    });

    it('finds a token by the hash of its secret, and nothing for an unknown hash', async () => {
      const token = makeApiToken();
      await repo.create(token);
      expect(await repo.findByHash(token.tokenHash)).toMatchObject({
        id: token.id,
        businessId: token.businessId,
        tokenHash: token.tokenHash,
        description: token.description,
        createdBy: token.createdBy,
        createdAt: token.createdAt,
        expiresAt: null,
        revokedAt: null,
        revokedBy: null,
      });
      expect(await repo.findByHash(hash())).toBeNull();
    });

    it('rejects a duplicate id or a duplicate token hash with CONFLICT', async () => {
      const token = makeApiToken();
      await repo.create(token);
      const sameId = repo.create(makeApiToken({ id: token.id }));
      await expect(sameId).rejects.toBeInstanceOf(DispatchError);
      await expect(sameId).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(repo.create(makeApiToken({ tokenHash: token.tokenHash }))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await repo.get(token.businessId, token.id)).toEqual(token);
    });

    it('lists only the business tokens, newest first', async () => {
      const businessId = newId('biz');
      const oldest = makeApiToken({ businessId, createdAt: new Date('2025-01-01T00:00:00.000Z'), description: 'oldest' });
      const newest = makeApiToken({ businessId, createdAt: new Date('2025-03-01T00:00:00.000Z'), description: 'newest' });
      const middle = makeApiToken({ businessId, createdAt: new Date('2025-02-01T00:00:00.000Z'), description: 'middle' });
      await repo.create(oldest);
      await repo.create(newest);
      await repo.create(middle);
      await repo.create(makeApiToken());
      expect((await repo.list(businessId)).map((t) => t.description)).toEqual(['newest', 'middle', 'oldest']);
      expect(await repo.list(businessId)).toEqual([newest, middle, oldest]);
      expect(await repo.list(newId('biz'))).toEqual([]);
    });

    it('revokes once: the second call returns the record unchanged', async () => {
      const token = makeApiToken();
      await repo.create(token);
      const first = await repo.revoke(token.businessId, token.id, 'usr_0000000000aaaaaaaaaaaaaaaa', new Date('2025-05-05T05:05:05.005Z'));
      expect(first).toEqual({
        changed: true,
        token: { ...token, revokedAt: new Date('2025-05-05T05:05:05.005Z'), revokedBy: 'usr_0000000000aaaaaaaaaaaaaaaa' },
      });
      const second = await repo.revoke(token.businessId, token.id, 'usr_0000000000bbbbbbbbbbbbbbbb', new Date('2025-06-06T06:06:06.006Z'));
      expect(second).toEqual({ changed: false, token: first?.token });
      expect(await repo.get(token.businessId, token.id)).toEqual(first?.token);
    });

    it('revokes atomically: of concurrent revocations exactly one changes the record', async () => {
      const token = makeApiToken();
      await repo.create(token);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => repo.revoke(token.businessId, token.id, newId('usr'), new Date(Date.UTC(2025, 0, 1, 0, 0, i)))),
      );
      const changed = results.filter((r) => r?.changed);
      expect(changed).toHaveLength(1);
      const stored = await repo.get(token.businessId, token.id);
      expect(stored).not.toBeNull();
      expect(stored).toEqual(changed[0]?.token);
      // Every caller sees the one recorded revocation.
      for (const result of results) expect(result?.token).toEqual(stored);
    });

    it('never lets a concurrent lastUsedAt flush undo a revocation', async () => {
      for (let round = 0; round < 5; round++) {
        const token = makeApiToken();
        await repo.create(token);
        const revokedAt = new Date(Date.UTC(2025, 6, 1, 0, 0, round));
        // One instance flushes serially; its flushes race the revocation.
        const flushes = (async () => {
          for (let i = 0; i < 4; i++) await repo.recordLastUsed([{ id: token.id, at: new Date(Date.UTC(2025, 6, 1, 0, 0, round, i)) }]);
        })();
        const [revoked] = await Promise.all([repo.revoke(token.businessId, token.id, token.createdBy, revokedAt), flushes]);
        expect(revoked?.changed).toBe(true);
        const stored = await repo.get(token.businessId, token.id);
        expect(stored?.revokedAt).toEqual(revokedAt);
        expect(stored?.revokedBy).toBe(token.createdBy);
        expect(stored?.lastUsedAt).toEqual(new Date(Date.UTC(2025, 6, 1, 0, 0, round, 3)));
        expect((await repo.findByHash(token.tokenHash))?.revokedAt).toEqual(revokedAt);
      }
    });

    it('does not revoke another business token or an unknown id', async () => {
      const token = makeApiToken();
      await repo.create(token);
      expect(await repo.revoke(newId('biz'), token.id, newId('usr'), new Date())).toBeNull();
      expect(await repo.revoke(token.businessId, newId('tok'), newId('usr'), new Date())).toBeNull();
      expect(await repo.get(token.businessId, token.id)).toEqual(token);
    });

    it('moves lastUsedAt forward only, in one batch, ignoring unknown ids', async () => {
      const a = makeApiToken();
      const b = makeApiToken({ lastUsedAt: new Date('2025-04-01T00:00:00.000Z') });
      await repo.create(a);
      await repo.create(b);
      await repo.recordLastUsed([
        { id: a.id, at: new Date('2025-03-01T00:00:00.000Z') },
        { id: b.id, at: new Date('2025-02-01T00:00:00.000Z') },
        { id: newId('tok'), at: new Date('2025-03-01T00:00:00.000Z') },
      ]);
      expect((await repo.get(a.businessId, a.id))?.lastUsedAt).toEqual(new Date('2025-03-01T00:00:00.000Z'));
      expect((await repo.get(b.businessId, b.id))?.lastUsedAt).toEqual(new Date('2025-04-01T00:00:00.000Z'));
      await repo.recordLastUsed([{ id: b.id, at: new Date('2025-04-01T00:00:01.000Z') }]);
      expect((await repo.get(b.businessId, b.id))?.lastUsedAt).toEqual(new Date('2025-04-01T00:00:01.000Z'));
      await repo.recordLastUsed([]);
      expect((await repo.get(a.businessId, a.id))?.lastUsedAt).toEqual(new Date('2025-03-01T00:00:00.000Z'));
    });

    it('caps active tokens per business exactly, even when creators race', async () => {
      const businessId = newId('biz');
      const now = new Date();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => repo.create(makeApiToken({ businessId }), { maxActive: 3, now })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', details: { reason: 'token_limit', limit: 3 } });
      expect(await repo.list(businessId)).toHaveLength(3);
      // Another business has its own slots.
      await repo.create(makeApiToken(), { maxActive: 3, now });
    });

    it('frees the slot of a revoked or expired token; a replacement takes over its slot', async () => {
      const businessId = newId('biz');
      const now = new Date('2030-01-01T00:00:00.000Z');
      const a = makeApiToken({ businessId });
      const b = makeApiToken({ businessId, expiresAt: new Date('2030-01-01T00:00:10.000Z') });
      await repo.create(a, { maxActive: 2, now });
      await repo.create(b, { maxActive: 2, now });
      await expect(repo.create(makeApiToken({ businessId }), { maxActive: 2, now })).rejects.toMatchObject({ code: 'CONFLICT' });
      // A rotation replaces `a`: never refused, and `a` no longer counts.
      const c = makeApiToken({ businessId, rotatedFrom: a.id });
      await repo.create(c, { maxActive: 2, now, replaces: a.id });
      await expect(repo.create(makeApiToken({ businessId }), { maxActive: 2, now })).rejects.toMatchObject({ code: 'CONFLICT' });
      await repo.revoke(businessId, c.id, c.createdBy, now);
      await repo.create(makeApiToken({ businessId }), { maxActive: 2, now });
      const later = new Date('2030-01-01T00:00:11.000Z');
      await expect(repo.create(makeApiToken({ businessId }), { maxActive: 2, now })).rejects.toMatchObject({ code: 'CONFLICT' });
      await repo.create(makeApiToken({ businessId }), { maxActive: 2, now: later });
      await expect(repo.create(makeApiToken({ businessId }), { maxActive: 2, now: later })).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('records the first rotation only, and reads rotations back', async () => {
      const token = makeApiToken();
      await repo.create(token);
      const rotation = {
        tokenId: token.id,
        businessId: token.businessId,
        newTokenId: newId('tok'),
        rotatedBy: token.createdBy,
        rotatedAt: new Date('2030-01-01T00:00:00.000Z'),
        graceEndsAt: new Date('2030-01-02T00:00:00.000Z'),
      };
      const results = await Promise.all([0, 1, 2].map((i) => repo.recordRotation({ ...rotation, newTokenId: i === 0 ? rotation.newTokenId : newId('tok') })));
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      const winner = results.find((r) => r.changed)?.rotation;
      for (const r of results) expect(r.rotation).toEqual(winner);
      expect((await repo.rotations([token.id, newId('tok')])).get(token.id)).toEqual(winner);
      expect((await repo.rotations([newId('tok')])).size).toBe(0);
      expect(await repo.graceEndedBetween(new Date('2030-01-01T12:00:00.000Z'), new Date('2030-01-02T00:00:00.000Z'))).toEqual([winner]);
      expect(await repo.graceEndedBetween(new Date('2030-01-02T00:00:00.000Z'), new Date('2030-01-03T00:00:00.000Z'))).toEqual([]);
    });

    it('counts every use of concurrent flushes (insert-only), calls after rotation apart', async () => {
      const token = makeApiToken();
      await repo.create(token);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          repo.recordLastUsed([{ id: token.id, at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)), count: 3, graceCount: i % 2 }]),
        ),
      );
      const usage = (await repo.usage([token.id, newId('tok')])).get(token.id);
      expect(usage).toEqual({ lastUsedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 4)), graceCalls: 2 });
      expect((await repo.usage([newId('tok')])).size).toBe(0);
    });

    it('finds tokens whose expiresAt lies in a window; reason and scopes round-trip', async () => {
      const t = makeApiToken({ expiresAt: new Date('2031-05-05T00:00:00.000Z'), scopes: ['orders:read', 'orders:write'] });
      await repo.create(t);
      expect((await repo.expiredBetween(new Date('2031-05-04T00:00:00.000Z'), new Date('2031-05-05T00:00:00.000Z'))).map((x) => x.id)).toEqual([t.id]);
      expect(await repo.expiredBetween(new Date('2031-05-05T00:00:00.000Z'), new Date('2031-05-06T00:00:00.000Z'))).toEqual([]);
      const revoked = await repo.revoke(t.businessId, t.id, t.createdBy, new Date('2031-01-01T00:00:00.000Z'), 'leaked in CI logs');
      expect(revoked?.token).toMatchObject({ scopes: ['orders:read', 'orders:write'], revocationReason: 'leaked in CI logs' });
      const again = await repo.revoke(t.businessId, t.id, newId('usr'), new Date(), 'other');
      expect(again?.token.revocationReason).toBe('leaked in CI logs');
    });

    it('keeps the quota given at creation; the latest quota change wins, null included, per token', async () => {
      const t = makeApiToken({ rateLimit: { limit: 50, windowSeconds: 60, mode: 'shadow' } });
      const other = makeApiToken({ businessId: t.businessId });
      await repo.create(t);
      await repo.create(other);
      expect((await repo.get(t.businessId, t.id))?.rateLimit).toEqual({ limit: 50, windowSeconds: 60, mode: 'shadow' });
      expect((await repo.findByHash(t.tokenHash))?.rateLimit).toEqual({ limit: 50, windowSeconds: 60, mode: 'shadow' });
      expect((await repo.get(other.businessId, other.id))?.rateLimit).toBeNull();
      expect((await repo.rateLimits([t.id, other.id])).size).toBe(0);

      const by = newId('usr');
      await repo.recordRateLimit({ tokenId: t.id, businessId: t.businessId, rateLimit: { limit: 10, windowSeconds: 1, mode: 'enforce' }, changedBy: by, at: new Date('2030-01-01T00:00:00.000Z') });
      await repo.recordRateLimit({ tokenId: t.id, businessId: t.businessId, rateLimit: { limit: 20, windowSeconds: 2, mode: 'shadow' }, changedBy: by, at: new Date('2030-01-01T00:00:02.000Z') });
      await repo.recordRateLimit({ tokenId: other.id, businessId: t.businessId, rateLimit: null, changedBy: by, at: new Date('2030-01-01T00:00:01.000Z') });
      const changes = await repo.rateLimits([t.id, other.id, newId('tok')]);
      expect(changes).toEqual(
        new Map([
          [t.id, { limit: 20, windowSeconds: 2, mode: 'shadow' }],
          [other.id, null],
        ]),
      );
      expect((await repo.rateLimits([t.id])).get(t.id)).toEqual({ limit: 20, windowSeconds: 2, mode: 'shadow' });
      // The token document itself is untouched (changes live apart from it).
      expect((await repo.get(t.businessId, t.id))?.rateLimit).toEqual({ limit: 50, windowSeconds: 60, mode: 'shadow' });
    });
  });
}
