import { afterAll, beforeAll } from 'vitest';
import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { createLogger } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { JetStreamKvStore } from './jetstream-kv-store.js';
import { MemoryKvStore } from './memory-kv-store.js';
import { describeKvStoreContract } from './kv-store.test-suite.js';

describeKvStoreContract('memory', async () => new MemoryKvStore());

let infra: Infra | undefined;
let bus: NatsBus | undefined;
beforeAll(async () => {
  infra = await startInfra(['nats']);
  bus = await connectNatsBus({ servers: infra.natsUrl, namespace: uniqueNamespace('kv'), logger: createLogger({ service: 'kv-test', level: 'silent' }), name: 'kv-test' });
});
afterAll(async () => {
  await bus?.drain();
  await infra?.stop();
});

describeKvStoreContract('JetStream KV', async () => {
  if (!bus) throw new Error('nats not started');
  return JetStreamKvStore.open(bus.nc, uniqueNamespace('kv'), { ttlMs: 3600_000 });
});
