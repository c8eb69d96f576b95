import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchError } from '@dispatch/contracts';
import { createLogger } from '@dispatch/runtime';
import { startNatsServer, uniqueNamespace, waitUntil, type LocalServer } from '@dispatch/testkit';
import { connectNatsBus, type NatsBus } from './nats-bus.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const decision = { allowed: true, limit: 10, remaining: 9, resetAt: 1_700_000_000, retryAfterSeconds: 0 };
const payload = { key: 'k', limit: 10, windowSeconds: 60 };

// Its own nats-server: this test stops and restarts it.
let server: LocalServer;
let responder: NatsBus;
let client: NatsBus;

beforeAll(async () => {
  server = await startNatsServer();
  const namespace = uniqueNamespace();
  responder = await connectNatsBus({ servers: server.url, namespace, logger, name: 'ratelimit' });
  responder.serve('ratelimit.consume', async () => decision);
  client = await connectNatsBus({ servers: server.url, namespace, logger, name: 'edge' });
  await responder.nc.flush();
});

afterAll(async () => {
  await client?.nc.close();
  await responder?.nc.close();
  await server?.stop();
});

describe('NatsBus requests across a nats-server restart', () => {
  it('fail fast with SERVICE_UNAVAILABLE while disconnected, and are answered again once reconnected', async () => {
    expect(await client.request('ratelimit.consume', payload, { timeoutMs: 5000 })).toEqual(decision);
    await server.kill('SIGTERM');
    await waitUntil(() => !client.isConnected(), 10_000, 'the client to notice the disconnect');
    // A 10-minute request timeout: without the fail-fast this would outlast the test's own timeout.
    const failure = await client.request('ratelimit.consume', payload, { timeoutMs: 600_000 }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DispatchError);
    expect((failure as DispatchError).code).toBe('SERVICE_UNAVAILABLE');
    await server.start();
    await waitUntil(() => client.isConnected() && responder.isConnected(), 20_000, 'both buses to reconnect');
    await waitUntil(
      async () => {
        const reply = await client.request('ratelimit.consume', payload, { timeoutMs: 2000 }).catch(() => undefined);
        return reply !== undefined;
      },
      20_000,
      'a request answered after the reconnect',
    );
    expect(await client.request('ratelimit.consume', payload, { timeoutMs: 5000 })).toEqual(decision);
  });
});
