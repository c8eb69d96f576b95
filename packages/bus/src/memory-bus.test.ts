import { describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import type { Bus } from './bus.js';
import { describeBusContract } from './bus.test-suite.js';
import { MemoryBus, MemoryHub } from './memory-bus.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const uniqueNamespace = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describeBusContract('MemoryBus', async (count) => {
  const hub = new MemoryHub();
  const namespace = uniqueNamespace();
  const all: Bus[] = [];
  const open = async (ns = namespace): Promise<Bus> => {
    const bus = new MemoryBus(hub, ns, logger);
    all.push(bus);
    return bus;
  };
  const buses = await Promise.all(Array.from({ length: count }, () => open()));
  return {
    namespace,
    buses,
    open,
    settle: async () => undefined,
    cleanup: async () => {
      await Promise.all(all.map((b) => b.drain()));
    },
  };
});

describe('MemoryBus specifics', () => {
  it('refuses to run the same durable consumer twice at once on one hub', async () => {
    const hub = new MemoryHub();
    const a = new MemoryBus(hub, 'ns', logger);
    const b = new MemoryBus(hub, 'ns', logger);
    const sub = await a.consume('once', async () => undefined);
    await expect(b.consume('once', async () => undefined)).rejects.toMatchObject({ code: 'CONFLICT' });
    await sub.stop();
    await (await b.consume('once', async () => undefined)).stop();
  });

  it('does not share the caller’s objects with the handler (copies cross the bus)', async () => {
    const hub = new MemoryHub();
    const bus = new MemoryBus(hub, 'ns', logger);
    const reply = { allowed: true, limit: 5, remaining: 4, resetAt: 1, retryAfterSeconds: 0 };
    let received: object | undefined;
    bus.serve('ratelimit.consume', async (req) => {
      received = req;
      return reply;
    });
    const request = { key: 'k', limit: 5, windowSeconds: 1 };
    const got = await bus.request('ratelimit.consume', request);
    expect(received).not.toBe(request);
    expect(got).not.toBe(reply);
    expect(got).toEqual(reply);
    await bus.drain();
  });
});
