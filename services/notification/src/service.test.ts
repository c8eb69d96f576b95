import { afterAll, beforeAll } from 'vitest';
import { MemoryBus, MemoryHub, NatsBus, connectNatsBus, type Bus } from '@dispatch/bus';
import { startInfra, type Infra } from '@dispatch/testkit';
import { JetStreamKvStore } from './store/jetstream-kv-store.js';
import { MemoryKvStore } from './store/memory-kv-store.js';
import { describeNotificationScenarios } from './service.test-suite.js';

describeNotificationScenarios('MemoryBus', {
  redeliversAfterAckWait: false,
  world: async (namespace) => {
    const hub = new MemoryHub();
    const buses: Bus[] = [];
    const store = new MemoryKvStore();
    return {
      store: async () => store,
      connect: async (_name, logger) => {
        const bus = new MemoryBus(hub, namespace, logger);
        buses.push(bus);
        return bus;
      },
      close: async () => {
        for (const b of buses) await b.drain();
      },
    };
  },
});

let infra: Infra | undefined;
beforeAll(async () => {
  infra = await startInfra(['nats']);
});
afterAll(async () => {
  await infra?.stop();
});

describeNotificationScenarios('NATS JetStream', {
  redeliversAfterAckWait: true,
  world: async (namespace) => {
    if (!infra) throw new Error('nats not started');
    const url = infra.natsUrl;
    const buses: Bus[] = [];
    return {
      store: async (bus) => {
        if (!(bus instanceof NatsBus)) throw new Error('expected a NatsBus');
        return JetStreamKvStore.open(bus.nc, namespace, { ttlMs: 3600_000 });
      },
      connect: async (name, logger) => {
        const bus = await connectNatsBus({ servers: url, namespace, logger, name });
        buses.push(bus);
        return bus;
      },
      close: async () => {
        for (const b of buses) await b.drain();
      },
    };
  },
});
