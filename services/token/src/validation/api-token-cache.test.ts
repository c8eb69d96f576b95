import { describe, expect, it } from 'vitest';
import { metrics } from '@dispatch/runtime';
import type { ApiTokenCredential } from '../store/api-token-repository.js';
import { ApiTokenCache, type CachedApiToken } from './api-token-cache.js';

const entry = (id: string): CachedApiToken => ({ token: { id } as ApiTokenCredential, rotation: undefined });

async function counted(result: 'hit' | 'miss'): Promise<number> {
  const values = (await metrics.validationCache.get()).values;
  return values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe('ApiTokenCache', () => {
  it('returns what was set, and counts hits and misses', async () => {
    const cache = new ApiTokenCache({ ttlMs: 1000, maxEntries: 10 });
    const [hits, misses] = [await counted('hit'), await counted('miss')];
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h1', entry('tok_1'), cache.snapshot());
    expect(cache.get('h1')?.token.id).toBe('tok_1');
    expect(await counted('hit')).toBe(hits + 1);
    expect(await counted('miss')).toBe(misses + 1);
  });

  it('drops a token on invalidate, by its id', () => {
    const cache = new ApiTokenCache({ ttlMs: 1000, maxEntries: 10 });
    cache.set('h1', entry('tok_1'), cache.snapshot());
    cache.set('h2', entry('tok_2'), cache.snapshot());
    cache.invalidate('tok_1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.token.id).toBe('tok_2');
  });

  it('never caches a read that began before an invalidation (of any token)', () => {
    const cache = new ApiTokenCache({ ttlMs: 1000, maxEntries: 10 });
    const before = cache.snapshot();
    cache.invalidate('tok_other');
    cache.set('h1', entry('tok_1'), before);
    expect(cache.size).toBe(0);
    const cleared = cache.snapshot();
    cache.clear();
    cache.set('h1', entry('tok_1'), cleared);
    expect(cache.size).toBe(0);
  });

  it('expires entries after the TTL', () => {
    const clock = { ms: 0 };
    const cache = new ApiTokenCache({ ttlMs: 1000, maxEntries: 10, now: () => clock.ms });
    cache.set('h1', entry('tok_1'), cache.snapshot());
    clock.ms = 999;
    expect(cache.get('h1')).toBeDefined();
    clock.ms = 1000;
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new ApiTokenCache({ ttlMs: 1000, maxEntries: 2 });
    cache.set('h1', entry('tok_1'), cache.snapshot());
    cache.set('h2', entry('tok_2'), cache.snapshot());
    cache.get('h1');
    cache.set('h3', entry('tok_3'), cache.snapshot());
    expect(cache.size).toBe(2);
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h1')).toBeDefined();
    expect(cache.get('h3')).toBeDefined();
  });

  it('is off with a TTL of 0', () => {
    const cache = new ApiTokenCache({ ttlMs: 0, maxEntries: 10 });
    expect(cache.enabled).toBe(false);
    cache.set('h1', entry('tok_1'), cache.snapshot());
    expect(cache.get('h1')).toBeUndefined();
  });
});
