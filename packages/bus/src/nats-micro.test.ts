import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { createLogger } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { DispatchError } from '@dispatch/contracts';
import { connectNatsBus, type NatsBus } from './nats-bus.js';

let infra: Infra;
let client: NatsConnection;
const logger = createLogger({ service: 'test', level: 'silent' });

beforeAll(async () => {
  infra = await startInfra(['nats']);
  client = await connect({ servers: infra.natsUrl });
});
afterAll(async () => {
  await client?.close();
  await infra?.stop();
});

describe('NATS service API (nats micro ping/info/stats)', () => {
  it('announces a Dispatch service and counts requests and errors per endpoint', async () => {
    const namespace = uniqueNamespace();
    const buses: NatsBus[] = [];
    for (let i = 0; i < 2; i++) buses.push(await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: 'ratelimit', version: '9.9.9' }));
    const caller = await connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: 'test-caller' });
    for (const bus of buses) {
      bus.serve('ratelimit.consume', async (req) => {
        if (req.key === 'boom') throw new DispatchError('SERVICE_UNAVAILABLE', 'down');
        return { allowed: true, limit: req.limit, remaining: req.limit - 1, resetAt: 2_000_000_000, retryAfterSeconds: 0 };
      });
      await bus.nc.flush();
    }
    for (let i = 0; i < 6; i++) await caller.request('ratelimit.consume', { key: 'k', limit: 5, windowSeconds: 60 });
    await expect(caller.request('ratelimit.consume', { key: 'boom', limit: 5, windowSeconds: 60 })).rejects.toThrow('down');

    const svc = client.services.client();
    const pings = [];
    for await (const p of await svc.ping('dispatch-ratelimit')) pings.push(p);
    const ours = pings.filter((p) => p.metadata?.['namespace'] === namespace);
    expect(ours).toHaveLength(2);
    expect(ours.every((p) => p.version === '9.9.9')).toBe(true);

    const infos = [];
    for await (const i of await svc.info('dispatch-ratelimit')) infos.push(i);
    const info = infos.find((i) => i.metadata?.['namespace'] === namespace);
    expect(info?.endpoints.map((e) => [e.name, e.subject, e.queue_group])).toEqual([
      ['consume', `${namespace}.ratelimit.v1.consume`, 'ratelimit-svc'],
    ]);

    const stats = [];
    for await (const s of await svc.stats('dispatch-ratelimit')) stats.push(s);
    const ourStats = stats.filter((s) => s.metadata?.['namespace'] === namespace);
    const consume = ourStats.flatMap((s) => s.endpoints ?? []).filter((e) => e.name === 'consume');
    expect(consume.reduce((n, e) => n + e.num_requests, 0)).toBe(7);
    expect(consume.reduce((n, e) => n + e.num_errors, 0)).toBe(1);
    expect(consume.some((e) => e.last_error === 'SERVICE_UNAVAILABLE')).toBe(true);

    // The caller is not a Dispatch service: it does not announce itself.
    expect(caller.micro).toBeUndefined();
    for (const bus of [...buses, caller]) await bus.drain();
  });
});
