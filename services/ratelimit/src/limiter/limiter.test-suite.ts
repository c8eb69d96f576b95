import { beforeEach, describe, expect, it } from 'vitest';
import { uniqueNamespace } from '@dispatch/testkit';
import type { RateLimiter } from './limiter.js';

export interface LimiterContractOptions {
  /**
   * Builds one limiter instance for a fresh key space. `instance` > 0 asks for another instance
   * sharing the same state (another process with the same Redis), when the implementation can.
   */
  create(prefix: string, instance: number): RateLimiter | Promise<RateLimiter>;
  /** How many instances share state (1 for the in-process limiter). */
  instances: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowSeconds = () => Date.now() / 1000;
const resetFor = (window: number, at = nowSeconds()) => Math.floor(at / window) * window + window;

/** Waits until at least `marginMs` into a fresh window, so a short test stays inside one window. */
async function startOfWindow(window: number, marginMs = 50): Promise<void> {
  const msIntoWindow = Date.now() % (window * 1000);
  if (msIntoWindow > window * 1000 - 600) await sleep(window * 1000 - msIntoWindow + marginMs);
}

/** One contract, every implementation: the in-process limiter and Redis must agree. */
export function describeRateLimiterContract(name: string, options: LimiterContractOptions): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let limiter: RateLimiter;
    let peers: RateLimiter[];

    beforeEach(async () => {
      const prefix = uniqueNamespace('rl');
      peers = [];
      for (let i = 0; i < options.instances; i++) peers.push(await options.create(prefix, i));
      const first = peers[0];
      if (!first) throw new Error('no limiter');
      limiter = first;
    });

    it('is ready', () => {
      expect(limiter.isReady()).toBe(true);
    });

    it('counts exactly: remaining, resetAt and retryAfter', async () => {
      const window = 3600;
      await startOfWindow(window);
      const before = resetFor(window);
      const first = await limiter.consume({ key: 'k', limit: 3, windowSeconds: window });
      const after = resetFor(window);
      expect([before, after]).toContain(first.resetAt);
      expect(first).toEqual({ allowed: true, limit: 3, remaining: 2, resetAt: first.resetAt, retryAfterSeconds: 0 });

      const second = await limiter.consume({ key: 'k', limit: 3, windowSeconds: window, cost: 1 });
      expect(second).toMatchObject({ allowed: true, remaining: 1, resetAt: first.resetAt, retryAfterSeconds: 0 });
      const third = await limiter.consume({ key: 'k', limit: 3, windowSeconds: window });
      expect(third).toMatchObject({ allowed: true, remaining: 0, retryAfterSeconds: 0 });

      const t = nowSeconds();
      const rejected = await limiter.consume({ key: 'k', limit: 3, windowSeconds: window });
      expect(rejected.allowed).toBe(false);
      expect(rejected.remaining).toBe(0);
      expect(rejected.limit).toBe(3);
      expect(rejected.resetAt).toBe(first.resetAt);
      // resetAt - now, in whole seconds, at least 1
      expect(rejected.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(Math.abs(rejected.retryAfterSeconds - (rejected.resetAt - t))).toBeLessThanOrEqual(1);
      expect(rejected.retryAfterSeconds).toBeLessThanOrEqual(window);
    });

    it('resetAt is aligned to the epoch', async () => {
      for (const window of [1, 7, 60, 86_400]) {
        const d = await limiter.consume({ key: `align-${window}`, limit: 10, windowSeconds: window });
        expect(d.resetAt % window).toBe(0);
        expect(d.resetAt).toBeGreaterThan(nowSeconds() - 1);
        expect(d.resetAt).toBeLessThanOrEqual(Math.ceil(nowSeconds()) + window);
      }
    });

    it('honours cost, and a rejected request does not consume quota', async () => {
      await startOfWindow(60);
      const a = await limiter.consume({ key: 'c', limit: 10, windowSeconds: 60, cost: 7 });
      expect(a).toMatchObject({ allowed: true, remaining: 3 });
      const tooBig = await limiter.consume({ key: 'c', limit: 10, windowSeconds: 60, cost: 4 });
      expect(tooBig).toMatchObject({ allowed: false, remaining: 3 });
      expect(tooBig.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // the rejected 4 units were not taken: 3 are still there
      const fits = await limiter.consume({ key: 'c', limit: 10, windowSeconds: 60, cost: 3 });
      expect(fits).toMatchObject({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
      for (let i = 0; i < 5; i++) {
        expect(await limiter.consume({ key: 'c', limit: 10, windowSeconds: 60 })).toMatchObject({ allowed: false, remaining: 0 });
      }
      // raising the limit shows the counter stayed at 10 despite five rejections
      expect(await limiter.consume({ key: 'c', limit: 11, windowSeconds: 60 })).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('cost 0 reads the window without consuming (a peek)', async () => {
      await startOfWindow(60);
      const empty = await limiter.consume({ key: 'peek', limit: 1000, windowSeconds: 60, cost: 0 });
      expect(empty).toMatchObject({ allowed: true, limit: 1000, remaining: 1000, retryAfterSeconds: 0 });
      await limiter.consume({ key: 'peek', limit: 1000, windowSeconds: 60, cost: 3 });
      const seen = await limiter.consume({ key: 'peek', limit: 1000, windowSeconds: 60, cost: 0 });
      expect(seen).toMatchObject({ allowed: true, remaining: 997, resetAt: empty.resetAt });
      expect(await limiter.consume({ key: 'peek', limit: 1000, windowSeconds: 60, cost: 0 })).toMatchObject({ remaining: 997 });
      // A full window stays full: a peek neither consumes nor frees anything.
      expect(await limiter.consume({ key: 'peek', limit: 3, windowSeconds: 60, cost: 0 })).toMatchObject({ allowed: true, remaining: 0 });
      expect(await limiter.consume({ key: 'peek', limit: 3, windowSeconds: 60 })).toMatchObject({ allowed: false, remaining: 0 });
    });

    it('a cost above the limit is rejected without consuming', async () => {
      await startOfWindow(60);
      const d = await limiter.consume({ key: 'big', limit: 5, windowSeconds: 60, cost: 6 });
      expect(d).toMatchObject({ allowed: false, remaining: 5, limit: 5 });
      expect(await limiter.consume({ key: 'big', limit: 5, windowSeconds: 60, cost: 5 })).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('500 concurrent consumes with limit 100 allow exactly 100', async () => {
      await startOfWindow(60, 100);
      const decisions = await Promise.all(
        Array.from({ length: 500 }, (_, i) => {
          const target = peers[i % peers.length] ?? limiter;
          return target.consume({ key: 'burst', limit: 100, windowSeconds: 60 });
        }),
      );
      const allowed = decisions.filter((d) => d.allowed);
      expect(allowed).toHaveLength(100);
      // every remaining value 0..99 was handed out exactly once
      expect(new Set(allowed.map((d) => d.remaining)).size).toBe(100);
      expect(Math.min(...allowed.map((d) => d.remaining))).toBe(0);
      expect(Math.max(...allowed.map((d) => d.remaining))).toBe(99);
      for (const d of decisions.filter((x) => !x.allowed)) {
        expect(d.remaining).toBe(0);
        expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
    });

    it('a new window restores the quota', async () => {
      const window = 1;
      await startOfWindow(window);
      const a = await limiter.consume({ key: 'w', limit: 2, windowSeconds: window });
      await limiter.consume({ key: 'w', limit: 2, windowSeconds: window });
      const rejected = await limiter.consume({ key: 'w', limit: 2, windowSeconds: window });
      expect(rejected).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1, resetAt: a.resetAt });
      // wait past the boundary
      await sleep(Math.max(0, a.resetAt * 1000 - Date.now()) + 100);
      const next = await limiter.consume({ key: 'w', limit: 2, windowSeconds: window });
      expect(next.allowed).toBe(true);
      expect(next.remaining).toBe(1);
      expect(next.resetAt).toBeGreaterThanOrEqual(a.resetAt + window);
    });

    it('keys are isolated', async () => {
      await startOfWindow(60);
      expect(await limiter.consume({ key: 'tok_a', limit: 1, windowSeconds: 60 })).toMatchObject({ allowed: true });
      expect(await limiter.consume({ key: 'tok_a', limit: 1, windowSeconds: 60 })).toMatchObject({ allowed: false });
      expect(await limiter.consume({ key: 'tok_b', limit: 1, windowSeconds: 60 })).toMatchObject({ allowed: true, remaining: 0 });
      // a key that is a prefix of another does not share its counter
      expect(await limiter.consume({ key: 'tok', limit: 1, windowSeconds: 60 })).toMatchObject({ allowed: true });
      expect(await limiter.consume({ key: 'tok_a:x', limit: 1, windowSeconds: 60 })).toMatchObject({ allowed: true });
    });

    it('instances sharing a store share the quota', async () => {
      await startOfWindow(60);
      for (let i = 0; i < 6; i++) {
        const target = peers[i % peers.length] ?? limiter;
        expect(await target.consume({ key: 'shared', limit: 6, windowSeconds: 60 })).toMatchObject({ allowed: true, remaining: 5 - i });
      }
      for (const p of peers) expect(await p.consume({ key: 'shared', limit: 6, windowSeconds: 60 })).toMatchObject({ allowed: false });
    });
  });
}
