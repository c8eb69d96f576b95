import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { describeBusContract } from './bus.test-suite.js';
import { NatsBus, connectNatsBus } from './nats-bus.js';

const logger = createLogger({ service: 'test', level: 'silent' });
let infra: Infra;

beforeAll(async () => {
  infra = await startInfra(['nats']);
});

afterAll(async () => {
  await infra?.stop();
});

const connect = (namespace: string) =>
  connectNatsBus({ servers: infra.natsUrl, namespace, logger, name: `bus-test-${namespace}` });

describeBusContract('NatsBus', async (count) => {
  const namespace = uniqueNamespace();
  const all: NatsBus[] = [];
  const open = async (ns = namespace): Promise<NatsBus> => {
    const bus = await connect(ns);
    all.push(bus);
    return bus;
  };
  const buses: NatsBus[] = [];
  for (let i = 0; i < count; i++) buses.push(await open());
  return {
    namespace,
    buses,
    open,
    settle: async () => {
      // A flush round-trips to the server, so every SUB sent before it is in place.
      await Promise.all(all.filter((b) => !b.nc.isClosed()).map((b) => b.nc.flush()));
    },
    cleanup: async () => {
      await Promise.all(all.map((b) => b.drain()));
    },
  };
});

describe('NatsBus specifics', () => {
  it('several instances of one namespace share one event stream (connect is idempotent)', async () => {
    const ns = uniqueNamespace();
    const [a, b] = await Promise.all([connect(ns), connect(ns)]);
    try {
      const event = await a.publish('user.verified', { userId: 'usr_0000000000aaaaaaaaaaaaaaaa', email: 'x@example.com' });
      const seen: string[] = [];
      await b.consume('check', async (e) => void seen.push(e.id));
      const deadline = Date.now() + 5000;
      while (!seen.includes(event.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([event.id]);
    } finally {
      await Promise.all([a.drain(), b.drain()]);
    }
  });

  it('answers a request whose body is not JSON with VALIDATION_ERROR', async () => {
    const ns = uniqueNamespace();
    const bus = await connect(ns);
    try {
      bus.serve('identity.ping', async () => ({ service: 'identity', instance: 'x', ready: true }));
      await bus.nc.flush();
      const msg = await bus.nc.request(`${ns}.identity.v1.ping`, new TextEncoder().encode('{not json'), { timeout: 2000 });
      expect(JSON.parse(new TextDecoder().decode(msg.data))).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    } finally {
      await bus.drain();
    }
  });
});
