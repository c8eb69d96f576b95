import { describe, expect, it } from 'vitest';
import type { KvStore } from './kv-store.js';

/** One contract for every KvStore: memory and JetStream KV. */
export function describeKvStoreContract(name: string, factory: () => Promise<KvStore>): void {
  describe(`KvStore contract: ${name}`, () => {
    it('create succeeds once per key, also when racing', async () => {
      const kv = await factory();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => kv.create('claim.evt_1', `v${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await kv.create('claim.evt_1', 'again')).toBe(false);
      const winner = results.indexOf(true);
      expect((await kv.get('claim.evt_1'))?.value).toBe(`v${winner}`);
    });

    it('a deleted key can be created again; get of a missing key is undefined', async () => {
      const kv = await factory();
      expect(await kv.get('claim.missing')).toBeUndefined();
      expect(await kv.create('claim.a', 'one')).toBe(true);
      await kv.delete('claim.a');
      expect(await kv.get('claim.a')).toBeUndefined();
      expect(await kv.create('claim.a', 'two')).toBe(true);
      expect((await kv.get('claim.a'))?.value).toBe('two');
    });

    it('update is compare-and-set on the revision: one of two racing updates wins', async () => {
      const kv = await factory();
      await kv.create('claim.b', 'start');
      const entry = await kv.get('claim.b');
      if (!entry) throw new Error('missing');
      const [a, b] = await Promise.all([kv.update('claim.b', 'a', entry.revision), kv.update('claim.b', 'b', entry.revision)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect((await kv.get('claim.b'))?.value).toBe(a ? 'a' : 'b');
      expect(await kv.update('claim.b', 'stale', entry.revision)).toBe(false);
      expect(await kv.update('claim.none', 'x', 1)).toBe(false);
    });

    it('put overwrites; keys lists by prefix only', async () => {
      const kv = await factory();
      await kv.put('parked.mail.evt_1', '1');
      await kv.put('parked.mail.evt_1', '2');
      await kv.put('parked.webhook.evt_2', '3');
      await kv.put('webhook.biz_1', '4');
      expect((await kv.get('parked.mail.evt_1'))?.value).toBe('2');
      expect((await kv.keys('parked')).sort()).toEqual(['parked.mail.evt_1', 'parked.webhook.evt_2']);
      expect(await kv.keys('nothing')).toEqual([]);
    });
  });
}
