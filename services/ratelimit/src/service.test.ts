import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { MemoryBus, MemoryHub, connectNatsBus, type Bus } from '@dispatch/bus';
import { DispatchError } from '@dispatch/contracts';
import { createLogger } from '@dispatch/runtime';
import { startInfra, startRedisServer, uniqueNamespace, type Infra, type LocalServer } from '@dispatch/testkit';
import type { RateLimiter } from './limiter/limiter.js';
import { MemoryLimiter } from './limiter/memory-limiter.js';
import { RedisLimiter } from './limiter/redis-limiter.js';
import { createRateLimitService, type RateLimitService } from './service.js';

const logger = createLogger({ service: 'ratelimit-test', level: 'silent' });

const failing: RateLimiter = {
  consume: async () => {
    throw new Error('ECONNREFUSED 127.0.0.1:6379');
  },
  isReady: () => false,
};

describe('ratelimit service on the memory bus', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  async function setup(limiter: RateLimiter): Promise<{ bus: Bus; service: RateLimitService }> {
    const hub = new MemoryHub();
    const ns = uniqueNamespace();
    const serverBus = new MemoryBus(hub, ns, logger);
    const clientBus = new MemoryBus(hub, ns, logger);
    const service = createRateLimitService({ bus: serverBus, logger, limiter, instance: 'rl-1' });
    await service.start();
    stops.push(() => serverBus.drain(), () => service.stop());
    return { bus: clientBus, service };
  }

  it('serves ratelimit.consume with the limiter decision (cost defaults to 1)', async () => {
    const { bus } = await setup(new MemoryLimiter());
    const a = await bus.request('ratelimit.consume', { key: 'tok_x', limit: 2, windowSeconds: 60 });
    expect(a).toMatchObject({ allowed: true, limit: 2, remaining: 1, retryAfterSeconds: 0 });
    expect(a.resetAt % 60).toBe(0);
    await bus.request('ratelimit.consume', { key: 'tok_x', limit: 2, windowSeconds: 60 });
    const c = await bus.request('ratelimit.consume', { key: 'tok_x', limit: 2, windowSeconds: 60 });
    expect(c).toMatchObject({ allowed: false, remaining: 0 });
    expect(c.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('rejects invalid requests with VALIDATION_ERROR', async () => {
    const { bus } = await setup(new MemoryLimiter());
    const err = await bus
      .request('ratelimit.consume', { key: '', limit: 0, windowSeconds: 60 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DispatchError);
    expect((err as DispatchError).code).toBe('VALIDATION_ERROR');
  });

  it('answers ping with ready = store connected', async () => {
    const { bus } = await setup(new MemoryLimiter());
    expect(await bus.request('ratelimit.ping', {})).toEqual({ service: 'ratelimit', instance: 'rl-1', ready: true });
  });

  it('turns a store failure into SERVICE_UNAVAILABLE and reports not ready', async () => {
    const { bus } = await setup(failing);
    const err = await bus.request('ratelimit.consume', { key: 'k', limit: 1, windowSeconds: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DispatchError);
    expect((err as DispatchError).code).toBe('SERVICE_UNAVAILABLE');
    expect((err as DispatchError).retryable).toBe(true);
    expect(await bus.request('ratelimit.ping', {})).toMatchObject({ ready: false });
  });

  it('stop() unregisters the handlers', async () => {
    const { bus, service } = await setup(new MemoryLimiter());
    await service.stop();
    const err = await bus.request('ratelimit.ping', {}).catch((e: unknown) => e);
    expect((err as DispatchError).code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('ratelimit service on NATS + Redis', () => {
  let infra: Infra;
  let redisServer: LocalServer;

  beforeAll(async () => {
    [infra, redisServer] = await Promise.all([startInfra(['nats']), startRedisServer()]);
  });
  afterAll(async () => {
    await infra?.stop();
    await redisServer?.stop();
  });

  it('two instances share one quota; Redis going away → SERVICE_UNAVAILABLE, then recovers', async () => {
    const ns = uniqueNamespace();
    const prefix = `${ns}:rl`;
    const makeClient = async () => {
      const client = createClient({
        url: redisServer.url,
        disableOfflineQueue: true,
        socket: { reconnectStrategy: () => 100 },
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    const redisA = await makeClient();
    const redisB = await makeClient();
    const busA = await connectNatsBus({ servers: infra.natsUrl, namespace: ns, logger, name: 'rl-a' });
    const busB = await connectNatsBus({ servers: infra.natsUrl, namespace: ns, logger, name: 'rl-b' });
    const caller = await connectNatsBus({ servers: infra.natsUrl, namespace: ns, logger, name: 'edge' });
    const a = createRateLimitService({ bus: busA, logger, limiter: new RedisLimiter(redisA, { prefix }), instance: 'a' });
    const b = createRateLimitService({ bus: busB, logger, limiter: new RedisLimiter(redisB, { prefix }), instance: 'b' });
    await Promise.all([a.start(), b.start()]);
    try {
      const decisions = await Promise.all(
        Array.from({ length: 60 }, () => caller.request('ratelimit.consume', { key: 'tok_n', limit: 25, windowSeconds: 3600 })),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
      expect(await caller.request('ratelimit.ping', {})).toMatchObject({ service: 'ratelimit', ready: true });

      await redisServer.kill();
      const err = await caller
        .request('ratelimit.consume', { key: 'tok_n', limit: 25, windowSeconds: 3600 }, { timeoutMs: 3000 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DispatchError);
      expect((err as DispatchError).code).toBe('SERVICE_UNAVAILABLE');
      expect(await caller.request('ratelimit.ping', {})).toMatchObject({ ready: false });

      await redisServer.start();
      const deadline = Date.now() + 10_000;
      while (!(redisA.isReady && redisB.isReady) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // the server restarted empty (no persistence in tests): a fresh window count
      expect(await caller.request('ratelimit.consume', { key: 'tok_n', limit: 25, windowSeconds: 3600 })).toMatchObject({
        allowed: true,
        remaining: 24,
      });
      expect(await caller.request('ratelimit.ping', {})).toMatchObject({ ready: true });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await Promise.all([busA.drain(), busB.drain(), caller.drain()]);
      redisA.destroy();
      redisB.destroy();
    }
  });
});
