import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub, connectNatsBus, type Bus } from '@dispatch/bus';
import type { DomainEvent } from '@dispatch/contracts';
import { createLogger, metrics } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, waitUntil, type Infra } from '@dispatch/testkit';
import type { RateLimiter } from '../limiter/limiter.js';
import { createRateLimitService } from '../service.js';
import { InfraAlerter } from './infra-alerter.js';

const logger = createLogger({ service: 'ratelimit-alert-test', level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const unreachable: RateLimiter = {
  consume: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  },
  isReady: () => false,
};

describe('infra.redis_unavailable alert (memory bus)', () => {
  it('once per incident window, again in the next one; the decision stays SERVICE_UNAVAILABLE', async () => {
    const hub = new MemoryHub();
    const ns = uniqueNamespace();
    const serverBus = new MemoryBus(hub, ns, logger);
    const client = new MemoryBus(hub, ns, logger);
    const seen: DomainEvent[] = [];
    await client.consume('alerts', async (e) => void seen.push(e), { types: ['alert.raised'] });
    let now = new Date(Date.UTC(2030, 0, 1, 10, 5));
    const alerter = new InfraAlerter(serverBus, logger, { windowMinutes: 60, now: () => now });
    const service = createRateLimitService({ bus: serverBus, logger, limiter: unreachable, alerter });
    await service.start();
    try {
      for (let i = 0; i < 5; i++) {
        await expect(client.request('ratelimit.consume', { key: 'tok_x', limit: 5, windowSeconds: 60 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      }
      await waitUntil(() => seen.length === 1, 5_000, 'the alert');
      await sleep(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.data).toMatchObject({
        kind: 'infra.redis_unavailable',
        businessId: null,
        incidentKey: 'infra.redis_unavailable:ratelimit:2030-01-01T10:00:00.000Z',
        details: { source: 'ratelimit', reason: 'connect ECONNREFUSED 127.0.0.1:6379' },
      });
      now = new Date(Date.UTC(2030, 0, 1, 11, 1));
      await expect(client.request('ratelimit.consume', { key: 'tok_x', limit: 5, windowSeconds: 60 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await waitUntil(() => seen.length === 2, 5_000, 'the next window’s alert');
      expect(seen[1]?.data).toMatchObject({ incidentKey: 'infra.redis_unavailable:ratelimit:2030-01-01T11:00:00.000Z' });
    } finally {
      await service.stop();
      await serverBus.drain();
      await client.drain();
    }
  });

  it('a failed publish is retried on the next failure', async () => {
    let fail = true;
    const published: unknown[] = [];
    const events: Pick<Bus, 'publish'> = {
      publish: (async (_type: string, data: unknown) => {
        if (fail) throw new Error('nats down');
        published.push(data);
        return {};
      }) as unknown as Bus['publish'],
    };
    const alerter = new InfraAlerter(events, logger);
    await alerter.redisUnavailable('down');
    expect(published).toHaveLength(0);
    fail = false;
    await alerter.redisUnavailable('down');
    await alerter.redisUnavailable('down');
    expect(published).toHaveLength(1);
  });
});

describe('infra.redis_unavailable alert over NATS JetStream', () => {
  let infra: Infra | undefined;
  beforeAll(async () => {
    infra = await startInfra(['nats']);
  });
  afterAll(async () => {
    await infra?.stop();
  });

  it('two ratelimit instances failing at once publish one alert event (same event id, deduplicated)', async () => {
    if (!infra) throw new Error('nats not started');
    const ns = uniqueNamespace('rla');
    const buses: Bus[] = [];
    const services = [];
    for (const name of ['ratelimit', 'ratelimit']) {
      const bus = await connectNatsBus({ servers: infra.natsUrl, namespace: ns, logger, name });
      buses.push(bus);
      const service = createRateLimitService({ bus, logger, limiter: unreachable });
      await service.start();
      services.push(service);
    }
    const client = await connectNatsBus({ servers: infra.natsUrl, namespace: ns, logger, name: 'client' });
    buses.push(client);
    const seen: DomainEvent[] = [];
    await client.consume('alerts', async (e) => void seen.push(e), { types: ['alert.raised'] });
    const before = (await metrics.alertsRaised.get()).values.find((v) => v.labels['kind'] === 'infra.redis_unavailable')?.value ?? 0;
    try {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          expect(client.request('ratelimit.consume', { key: 'tok_y', limit: 5, windowSeconds: 60 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' }),
        ),
      );
      await waitUntil(() => seen.length >= 1, 10_000, 'the alert');
      await sleep(1_000);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.data).toMatchObject({ kind: 'infra.redis_unavailable' });
      // both instances raised it (the metric counts per process publish), the stream kept one
      const after = (await metrics.alertsRaised.get()).values.find((v) => v.labels['kind'] === 'infra.redis_unavailable')?.value ?? 0;
      expect(after - before).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of services) await s.stop();
      for (const b of buses) await b.drain();
    }
  });
});
