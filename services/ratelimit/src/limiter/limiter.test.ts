import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { describeRateLimiterContract } from './limiter.test-suite.js';
import { MemoryLimiter } from './memory-limiter.js';
import { CONSUME_SCRIPT_SHA1, RedisLimiter } from './redis-limiter.js';

type Client = ReturnType<typeof createClient>;

let infra: Infra;
const clients: Client[] = [];

beforeAll(async () => {
  infra = await startInfra(['redis']);
  for (let i = 0; i < 4; i++) {
    const client = createClient({ url: infra.redisUrl });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
  }
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await infra?.stop();
});

const clientAt = (i: number): Client => {
  const c = clients[i % clients.length];
  if (!c) throw new Error('redis not started');
  return c;
};

describeRateLimiterContract('memory', { instances: 1, create: () => new MemoryLimiter() });
// Four clients = four service instances on one Redis.
describeRateLimiterContract('redis', { instances: 4, create: (prefix, i) => new RedisLimiter(clientAt(i), { prefix }) });

describe('RedisLimiter specifics', () => {
  it('stores the counter at <prefix>:<key>:<windowStart> with a window+slack expiry', async () => {
    const prefix = uniqueNamespace('rl');
    const limiter = new RedisLimiter(clientAt(0), { prefix, expirySlackMs: 2_000 });
    const d = await limiter.consume({ key: 'tok_1', limit: 10, windowSeconds: 60, cost: 3 });
    const key = `${prefix}:tok_1:${d.resetAt - 60}`;
    expect(await clientAt(1).get(key)).toBe('3');
    const ttl = await clientAt(1).pTTL(key);
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(62_000);
    expect(await clientAt(1).keys(`${prefix}:*`)).toEqual([key]);
  });

  it('a rejection writes nothing', async () => {
    const prefix = uniqueNamespace('rl');
    const limiter = new RedisLimiter(clientAt(0), { prefix });
    const d = await limiter.consume({ key: 'x', limit: 1, windowSeconds: 60, cost: 2 });
    expect(d.allowed).toBe(false);
    expect(await clientAt(0).keys(`${prefix}:*`)).toEqual([]);
  });

  it('falls back to EVAL when the script cache is empty (EVALSHA first otherwise)', async () => {
    const prefix = uniqueNamespace('rl');
    const limiter = new RedisLimiter(clientAt(0), { prefix });
    await clientAt(0).scriptFlush();
    expect(await clientAt(0).scriptExists([CONSUME_SCRIPT_SHA1])).toEqual([0]);
    expect(await limiter.consume({ key: 'k', limit: 2, windowSeconds: 60 })).toMatchObject({ allowed: true });
    expect(await clientAt(0).scriptExists([CONSUME_SCRIPT_SHA1])).toEqual([1]);
  });

  it('reports not ready once its client is closed, and consume then rejects', async () => {
    const client = createClient({ url: infra.redisUrl });
    client.on('error', () => undefined);
    await client.connect();
    const limiter = new RedisLimiter(client, { prefix: uniqueNamespace('rl') });
    expect(limiter.isReady()).toBe(true);
    client.destroy();
    expect(limiter.isReady()).toBe(false);
    await expect(limiter.consume({ key: 'k', limit: 1, windowSeconds: 60 })).rejects.toThrow();
  });
});

describe('MemoryLimiter specifics', () => {
  it('uses its clock exactly and sweeps finished windows', async () => {
    let now = 1_700_000_005_500; // 5.5 s into a 10 s window starting at 1_700_000_000
    const limiter = new MemoryLimiter({ now: () => now, sweepIntervalMs: 1_000 });
    expect(await limiter.consume({ key: 'a', limit: 1, windowSeconds: 10 })).toEqual({
      allowed: true,
      limit: 1,
      remaining: 0,
      resetAt: 1_700_000_010,
      retryAfterSeconds: 0,
    });
    now += 1_000; // 6.5 s in: 3.5 s left → retry after 4
    expect(await limiter.consume({ key: 'a', limit: 1, windowSeconds: 10 })).toEqual({
      allowed: false,
      limit: 1,
      remaining: 0,
      resetAt: 1_700_000_010,
      retryAfterSeconds: 4,
    });
    expect(limiter.size).toBe(1);
    now = 1_700_000_010_000; // boundary: new window
    expect(await limiter.consume({ key: 'b', limit: 1, windowSeconds: 10 })).toMatchObject({ resetAt: 1_700_000_020 });
    expect(limiter.size).toBe(1); // the finished window of "a" was swept
    expect(await limiter.consume({ key: 'a', limit: 1, windowSeconds: 10 })).toMatchObject({ allowed: true, resetAt: 1_700_000_020 });
  });
});
