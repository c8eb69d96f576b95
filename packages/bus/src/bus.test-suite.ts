/**
 * The one contract every Bus implementation passes. `memory-bus.test.ts` runs it on MemoryHub,
 * `nats-bus.test.ts` on a real nats-server with JetStream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DispatchError, errors, type DomainEvent, type EventType } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import type { Bus, EventHandler, Subscription } from './bus.js';

export interface BusFixture {
  /** The namespace every bus in `buses` uses. */
  namespace: string;
  /** Two or more buses on one broker, all in `namespace`. */
  buses: Bus[];
  /** One more bus on the same broker (by default in `namespace`); cleaned up with the fixture. */
  open(namespace?: string): Promise<Bus>;
  /** Resolves once every subscription made so far is live at the broker. */
  settle(): Promise<void>;
  /** Drains and closes every bus (safe after a test already drained some). */
  cleanup(): Promise<void>;
}

export type MakeBuses = (count: number) => Promise<BusFixture>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

async function caught(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DispatchError);
    return err as DispatchError;
  }
  throw new Error('expected the promise to reject');
}

const usr = () => newId('usr');
const biz = () => newId('biz');
const tok = () => newId('tok');
const verified = (email = 'jane@example.com') => ({ userId: usr(), email });

/** A consumer handler that records every delivery. */
function recorder(impl?: (event: DomainEvent, attempt: number) => Promise<void> | void) {
  const deliveries: { id: string; type: EventType; attempt: number; requestId: string; event: DomainEvent }[] = [];
  const handler: EventHandler = async (event, ctx) => {
    deliveries.push({ id: event.id, type: event.type, attempt: ctx.attempt, requestId: ctx.requestId, event });
    await impl?.(event, ctx.attempt);
  };
  const ids = () => deliveries.map((d) => d.id);
  const countOf = (id: string) => deliveries.filter((d) => d.id === id).length;
  return { deliveries, handler, ids, countOf };
}

export function describeBusContract(name: string, makeBuses: MakeBuses): void {
  describe(`Bus contract: ${name}`, () => {
    let fixtures: BusFixture[] = [];
    const setup = async (count = 2): Promise<BusFixture> => {
      const fixture = await makeBuses(count);
      fixtures.push(fixture);
      expect(fixture.buses.length).toBeGreaterThanOrEqual(count);
      return fixture;
    };
    afterEach(async () => {
      const current = fixtures;
      fixtures = [];
      await Promise.all(current.map((f) => f.cleanup()));
    });

    describe('request / reply', () => {
      it('round-trips, validating the request on the server and the reply on the caller', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        const userId = usr();
        const businessId = biz();
        const seen: unknown[] = [];
        server.serve('identity.checkCredentials', async (req) => {
          seen.push(req);
          // The reply schema lower-cases the email: the caller must see the parsed reply.
          return { userId, businessId, role: 'owner', email: 'JANE@Example.COM', extra: 'stripped' } as never;
        });
        await f.settle();
        const reply = await caller.request('identity.checkCredentials', { email: '  Jane@Example.COM ', password: ' pw ' });
        expect(seen).toEqual([{ email: 'jane@example.com', password: ' pw ' }]);
        expect(reply).toEqual({ userId, businessId, role: 'owner', email: 'jane@example.com' });
      });

      it('applies request schema defaults before the handler runs', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        let cost: number | undefined;
        server.serve('ratelimit.consume', async (req) => {
          cost = req.cost;
          return { allowed: true, limit: req.limit, remaining: req.limit - req.cost, resetAt: 1, retryAfterSeconds: 0 };
        });
        await f.settle();
        const decision = await caller.request('ratelimit.consume', { key: 'k', limit: 10, windowSeconds: 60 });
        expect(cost).toBe(1);
        expect(decision.remaining).toBe(9);
      });

      it('rejects an invalid request with VALIDATION_ERROR and details.fields, without calling the handler', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        let calls = 0;
        server.serve('identity.checkCredentials', async () => {
          calls++;
          throw new Error('must not run');
        });
        await f.settle();
        const err = await caught(
          caller.request('identity.checkCredentials', { email: 'not-an-email', password: '', role: 'owner' } as never),
        );
        expect(err.code).toBe('VALIDATION_ERROR');
        expect(err.status).toBe(400);
        expect(err.details).toEqual({
          fields: { email: expect.any(String), password: expect.any(String), role: 'Unknown field' },
        });
        expect(calls).toBe(0);
      });

      it('rejects a reply that breaks its contract with INTERNAL_ERROR', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        server.serve('identity.ping', async () => ({ service: 'identity' }) as never);
        await f.settle();
        const err = await caught(caller.request('identity.ping', {}));
        expect(err.code).toBe('INTERNAL_ERROR');
      });

      it('carries a DispatchError thrown by the handler to the caller, code, message and details intact', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        server.serve('identity.getUser', async () => {
          throw errors.notFound('User');
        });
        server.serve('token.revokeApiToken', async () => {
          throw errors.forbidden('Viewers cannot revoke tokens', 'insufficient_role');
        });
        await f.settle();
        const notFound = await caught(caller.request('identity.getUser', { userId: usr() }));
        expect(notFound.code).toBe('NOT_FOUND');
        expect(notFound.message).toBe('User not found');
        expect(notFound.status).toBe(404);
        const forbidden = await caught(caller.request('token.revokeApiToken', { businessId: biz(), tokenId: tok(), revokedBy: usr() }));
        expect(forbidden.code).toBe('FORBIDDEN');
        expect(forbidden.details).toEqual({ reason: 'insufficient_role' });
      });

      it('turns a plain Error into INTERNAL_ERROR without leaking its message or stack', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        server.serve('identity.getUser', async () => {
          throw new Error('db password is hunter2');
        });
        server.serve('token.validate', async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'x')");
        });
        await f.settle();
        for (const promise of [caller.request('identity.getUser', { userId: usr() }), caller.request('token.validate', { token: 'abc' })]) {
          const err = await caught(promise);
          expect(err.code).toBe('INTERNAL_ERROR');
          expect(err.message).toBe('Internal server error');
          expect(err.message).not.toMatch(/hunter2|Cannot read|\n\s+at /);
          expect(err.details).toBeUndefined();
          expect(err.retryable).toBe(false);
        }
      });

      it('fails fast with SERVICE_UNAVAILABLE when nobody serves the subject', async () => {
        const f = await setup(2);
        const [caller] = f.buses as [Bus, Bus];
        const started = Date.now();
        const err = await caught(caller.request('identity.ping', {}, { timeoutMs: 5000 }));
        expect(err.code).toBe('SERVICE_UNAVAILABLE');
        expect(err.retryable).toBe(true);
        expect(Date.now() - started).toBeLessThan(2000);
      });

      it('stops answering once the serving subscription is stopped', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        const sub = server.serve('identity.ping', async () => ({ service: 'identity', instance: 'a', ready: true }));
        await f.settle();
        await expect(caller.request('identity.ping', {})).resolves.toMatchObject({ instance: 'a' });
        await sub.stop();
        await f.settle();
        const started = Date.now();
        expect((await caught(caller.request('identity.ping', {}, { timeoutMs: 5000 }))).code).toBe('SERVICE_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(2000);
      });

      it('answers SERVICE_UNAVAILABLE when the handler is slower than timeoutMs', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        server.serve('identity.ping', async () => {
          await sleep(1000);
          return { service: 'identity', instance: 'slow', ready: true };
        });
        await f.settle();
        const started = Date.now();
        const err = await caught(caller.request('identity.ping', {}, { timeoutMs: 200 }));
        expect(err.code).toBe('SERVICE_UNAVAILABLE');
        expect(Date.now() - started).toBeGreaterThanOrEqual(150);
        expect(Date.now() - started).toBeLessThan(900);
      });

      it('spreads requests over a queue group: each answered exactly once, every instance busy', async () => {
        const f = await setup(3);
        const [caller, a, b] = f.buses as [Bus, Bus, Bus];
        const handled: Record<string, string[]> = { a: [], b: [] };
        for (const [instance, bus] of [['a', a], ['b', b]] as const) {
          bus.serve('identity.ping', async (_req, ctx) => {
            handled[instance]!.push(ctx.requestId);
            await sleep(5);
            return { service: 'identity', instance, ready: true };
          });
        }
        await f.settle();
        const ids = Array.from({ length: 50 }, () => newId('req'));
        const replies = await Promise.all(ids.map((requestId) => caller.request('identity.ping', {}, { requestId, timeoutMs: 10_000 })));
        expect(replies).toHaveLength(50);
        const all = [...handled['a']!, ...handled['b']!];
        expect(all).toHaveLength(50);
        expect(new Set(all)).toEqual(new Set(ids));
        expect(handled['a']!.length).toBeGreaterThan(0);
        expect(handled['b']!.length).toBeGreaterThan(0);
        expect(replies.filter((r) => r.instance === 'a')).toHaveLength(handled['a']!.length);
      });

      it('passes the requestId to the handler context (and makes one up when absent)', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        const seen: string[] = [];
        server.serve('identity.ping', async (_req, ctx) => {
          seen.push(ctx.requestId);
          expect(ctx.logger).toBeDefined();
          return { service: 'identity', instance: 'x', ready: true };
        });
        await f.settle();
        await caller.request('identity.ping', {}, { requestId: 'req_from_the_edge' });
        await caller.request('identity.ping', {});
        await caller.request('identity.ping', {});
        expect(seen[0]).toBe('req_from_the_edge');
        expect(seen[1]).toMatch(/\S/);
        expect(seen[2]).toMatch(/\S/);
        expect(seen[1]).not.toBe(seen[2]);
      });
    });

    describe('events', () => {
      it('delivers each published event once to a consumer, payload validated and parsed', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const rec = recorder();
        await consumerBus.consume('mailer', rec.handler);
        const published: DomainEvent[] = [];
        for (let i = 0; i < 5; i++) {
          published.push(await publisher.publish('user.verified', verified(`  User${i}@Example.COM `), { requestId: `req_${i}` }));
        }
        expect(published[0]!.data).toMatchObject({ email: 'user0@example.com' });
        expect(published[0]!.id).toMatch(/^evt_[0-9a-z]{26}$/);
        await waitFor(() => rec.deliveries.length >= 5, '5 deliveries');
        await sleep(300);
        expect(rec.ids()).toEqual(published.map((e) => e.id));
        rec.deliveries.forEach((d, i) => {
          expect(d.event).toEqual(published[i]);
          expect(d.event.data).toMatchObject({ email: `user${i}@example.com` });
          expect(d.requestId).toBe(`req_${i}`);
          expect(d.attempt).toBe(1);
        });
      });

      it('rejects an event whose payload or id breaks the contract, and delivers nothing', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const rec = recorder();
        await consumerBus.consume('strict', rec.handler);
        await expect(publisher.publish('user.verified', { userId: 'nope', email: 'jane@example.com' })).rejects.toThrow();
        await expect(publisher.publish('user.verified', { email: 'jane@example.com' } as never)).rejects.toThrow();
        await expect(publisher.publish('user.verified', verified(), { id: 'evt_not_valid' })).rejects.toThrow();
        const ok = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.deliveries.length >= 1, 'the valid event');
        await sleep(300);
        expect(rec.ids()).toEqual([ok.id]);
      });

      it('keeps a durable consumer position: events published while stopped arrive after restart, none twice', async () => {
        const f = await setup(2);
        const [first, second] = f.buses as [Bus, Bus];
        const rec = recorder();
        let sub: Subscription = await first.consume('durable-1', rec.handler);
        const e1 = await second.publish('user.verified', verified());
        await waitFor(() => rec.deliveries.length >= 1, 'the first event');
        await sub.stop();

        const e2 = await second.publish('user.verified', verified());
        const e3 = await second.publish('token.created', { businessId: biz(), tokenId: tok(), description: 'd', createdBy: usr() });
        await sleep(300);
        expect(rec.ids()).toEqual([e1.id]);

        // Another instance picks up where the first left off.
        sub = await second.consume('durable-1', rec.handler);
        await waitFor(() => rec.deliveries.length >= 3, 'the events published while stopped', 15_000);
        await sleep(300);
        expect(rec.ids()).toEqual([e1.id, e2.id, e3.id]);
        await sub.stop();
      });

      it('a new durable consumer starts from the beginning of the log', async () => {
        const f = await setup(2);
        const [a, b] = f.buses as [Bus, Bus];
        const e1 = await a.publish('user.verified', verified());
        const rec = recorder();
        await b.consume('late-joiner', rec.handler);
        await waitFor(() => rec.deliveries.length >= 1, 'the earlier event');
        expect(rec.ids()).toEqual([e1.id]);
      });

      it('redelivers a failing event: fails twice, succeeds on the 3rd attempt, then is acked', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const parked: unknown[] = [];
        const rec = recorder((_event, attempt) => {
          if (attempt < 3) throw new Error(`transient failure ${attempt}`);
        });
        await consumerBus.consume('flaky', rec.handler, { maxDeliver: 5, ackWaitMs: 1000, onParked: (e) => void parked.push(e) });
        const event = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.deliveries.length >= 3, '3 deliveries');
        // Longer than ackWait: an unacked event would be delivered again.
        await sleep(1600);
        expect(rec.deliveries.map((d) => [d.id, d.attempt])).toEqual([
          [event.id, 1],
          [event.id, 2],
          [event.id, 3],
        ]);
        expect(parked).toEqual([]);
      });

      it('parks an event that always fails after maxDeliver attempts and keeps processing the next ones', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const parked: { event: DomainEvent; error: unknown }[] = [];
        const poison = await publisher.publish('user.verified', verified('poison@example.com'));
        const rec = recorder((event) => {
          if (event.id === poison.id) throw new Error('always fails');
        });
        await consumerBus.consume('poisoned', rec.handler, {
          maxDeliver: 3,
          ackWaitMs: 1000,
          onParked: (event, error) => void parked.push({ event, error }),
        });
        const next = await publisher.publish('user.verified', verified('next@example.com'));
        await waitFor(() => parked.length >= 1 && rec.countOf(next.id) >= 1, 'the poison event parked and the next one handled');
        await sleep(1600);
        expect(parked).toHaveLength(1);
        expect(parked[0]!.event.id).toBe(poison.id);
        expect((parked[0]!.error as Error).message).toBe('always fails');
        expect(rec.deliveries.filter((d) => d.id === poison.id).map((d) => d.attempt)).toEqual([1, 2, 3]);
        expect(rec.countOf(next.id)).toBe(1);
        // And later events still flow.
        const later = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.countOf(later.id) === 1, 'a later event');
        expect(parked).toHaveLength(1);
      });

      it('keeps consuming when onParked itself throws', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        let parkedCalls = 0;
        const poison = await publisher.publish('user.verified', verified());
        const rec = recorder((event) => {
          if (event.id === poison.id) throw new Error('always fails');
        });
        await consumerBus.consume('bad-park', rec.handler, {
          maxDeliver: 2,
          ackWaitMs: 1000,
          onParked: () => {
            parkedCalls++;
            throw new Error('dead-letter store is down');
          },
        });
        await waitFor(() => parkedCalls >= 1, 'the event to be parked');
        const next = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.countOf(next.id) >= 1, 'the next event');
        await sleep(1200);
        expect(parkedCalls).toBe(1);
        expect(rec.countOf(poison.id)).toBe(2);
      });

      it('delivers only the requested types', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const tokensOnly = recorder();
        const everything = recorder();
        await consumerBus.consume('tokens-only', tokensOnly.handler, { types: ['token.created', 'token.revoked'] });
        await consumerBus.consume('everything', everything.handler);
        await publisher.publish('user.verified', verified());
        const created = await publisher.publish('token.created', { businessId: biz(), tokenId: tok(), description: 'd', createdBy: usr() });
        await publisher.publish('user.registration_duplicate', { email: 'a@example.com', firstName: 'A' });
        const revoked = await publisher.publish('token.revoked', { businessId: biz(), tokenId: tok(), revokedBy: usr() });
        await waitFor(() => everything.deliveries.length >= 4 && tokensOnly.deliveries.length >= 2, 'deliveries');
        await sleep(300);
        expect(tokensOnly.ids()).toEqual([created.id, revoked.id]);
        expect(everything.deliveries.map((d) => d.type)).toEqual(['user.verified', 'token.created', 'user.registration_duplicate', 'token.revoked']);
      });

      it('delivers an event published twice with the same explicit id once', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        const rec = recorder();
        await consumerBus.consume('dedupe', rec.handler);
        const id = newId('evt');
        const data = verified();
        const first = await publisher.publish('user.verified', data, { id });
        const again = await consumerBus.publish('user.verified', data, { id });
        expect(first.id).toBe(id);
        expect(again.id).toBe(id);
        const sentinel = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.countOf(sentinel.id) >= 1, 'the sentinel event');
        await sleep(300);
        expect(rec.ids()).toEqual([id, sentinel.id]);
      });
    });

    describe('broadcast', () => {
      it("reaches every instance's onBroadcast, including the sender's", async () => {
        const f = await setup(3);
        const received: unknown[][] = f.buses.map(() => []);
        const subs = f.buses.map((bus, i) => bus.onBroadcast('cache.invalidate', (data) => void received[i]!.push(data)));
        await f.settle();
        await f.buses[1]!.broadcast('cache.invalidate', { tokenId: 'tok_1', nested: [1, 2] });
        await waitFor(() => received.every((r) => r.length >= 1), 'every instance to hear the broadcast');
        await sleep(200);
        for (const r of received) expect(r).toEqual([{ tokenId: 'tok_1', nested: [1, 2] }]);

        // Topics are separate, and a stopped subscription hears nothing more.
        await subs[0]!.stop();
        await f.settle();
        await f.buses[2]!.broadcast('other.topic', { x: 1 });
        await f.buses[2]!.broadcast('cache.invalidate', 'second');
        await waitFor(() => received[1]!.length >= 2 && received[2]!.length >= 2, 'the second broadcast');
        await sleep(200);
        expect(received.map((r) => r.length)).toEqual([1, 2, 2]);
      });

      it('a throwing listener neither breaks the sender nor the other listeners', async () => {
        const f = await setup(2);
        const [a, b] = f.buses as [Bus, Bus];
        const heard: unknown[] = [];
        a.onBroadcast('t', () => {
          throw new Error('listener bug');
        });
        b.onBroadcast('t', (data) => void heard.push(data));
        await f.settle();
        await expect(a.broadcast('t', 1)).resolves.toBeUndefined();
        await waitFor(() => heard.length >= 1, 'the healthy listener');
        expect(heard).toEqual([1]);
      });
    });

    describe('drain', () => {
      it('waits for an in-flight request handler, whose caller still gets the reply', async () => {
        const f = await setup(2);
        const [caller, server] = f.buses as [Bus, Bus];
        let started = false;
        let finishedAt = 0;
        server.serve('identity.ping', async () => {
          started = true;
          await sleep(500);
          finishedAt = Date.now();
          return { service: 'identity', instance: 'draining', ready: true };
        });
        await f.settle();
        expect(server.isConnected()).toBe(true);
        const reply = caller.request('identity.ping', {}, { timeoutMs: 5000 });
        await waitFor(() => started, 'the handler to start');
        await server.drain();
        expect(finishedAt).toBeGreaterThan(0);
        await expect(reply).resolves.toEqual({ service: 'identity', instance: 'draining', ready: true });
        expect(server.isConnected()).toBe(false);
        // Nobody serves any more.
        expect((await caught(caller.request('identity.ping', {}, { timeoutMs: 1000 }))).code).toBe('SERVICE_UNAVAILABLE');
      });

      it('finishes an in-flight event handler and acknowledges it before closing', async () => {
        const f = await setup(2);
        const [consumerBus, publisher] = f.buses as [Bus, Bus];
        let finished = 0;
        const rec = recorder(async () => {
          await sleep(400);
          finished++;
        });
        await consumerBus.consume('drained', rec.handler, { ackWaitMs: 1000 });
        const event = await publisher.publish('user.verified', verified());
        await waitFor(() => rec.deliveries.length >= 1, 'the delivery');
        await consumerBus.drain();
        expect(finished).toBe(1);
        // The event was acked: the durable, resumed elsewhere, does not see it again.
        const again = recorder();
        await publisher.consume('drained', again.handler, { ackWaitMs: 1000 });
        const after = await publisher.publish('user.verified', verified());
        await waitFor(() => again.countOf(after.id) >= 1, 'the next event');
        await sleep(1200);
        expect(again.countOf(event.id)).toBe(0);
      });
    });

    describe('namespaces', () => {
      it('isolate requests, events and broadcasts on one broker', async () => {
        const f = await setup(2);
        const [home, homePublisher] = f.buses as [Bus, Bus];
        const otherNamespace = `${f.namespace}x`;
        const other = await f.open(otherNamespace);
        expect(other.namespace).toBe(otherNamespace);
        expect(home.namespace).toBe(f.namespace);

        // Requests: a handler in the other namespace is invisible here.
        other.serve('identity.ping', async () => ({ service: 'identity', instance: 'other', ready: true }));
        await f.settle();
        expect((await caught(home.request('identity.ping', {}, { timeoutMs: 1000 }))).code).toBe('SERVICE_UNAVAILABLE');
        home.serve('identity.ping', async () => ({ service: 'identity', instance: 'home', ready: true }));
        await f.settle();
        expect((await home.request('identity.ping', {})).instance).toBe('home');
        expect((await other.request('identity.ping', {})).instance).toBe('other');

        // Events: the same durable name in two namespaces, each sees only its own events.
        const homeEvents = recorder();
        const otherEvents = recorder();
        await home.consume('shared-name', homeEvents.handler);
        await other.consume('shared-name', otherEvents.handler);
        const inHome = await homePublisher.publish('user.verified', verified());
        const inOther = await other.publish('user.verified', verified());
        await waitFor(() => homeEvents.deliveries.length >= 1 && otherEvents.deliveries.length >= 1, 'one event in each namespace');
        await sleep(300);
        expect(homeEvents.ids()).toEqual([inHome.id]);
        expect(otherEvents.ids()).toEqual([inOther.id]);

        // The same event id may exist in both namespaces.
        const id = newId('evt');
        await homePublisher.publish('user.verified', verified(), { id });
        await other.publish('user.verified', verified(), { id });
        await waitFor(() => homeEvents.countOf(id) >= 1 && otherEvents.countOf(id) >= 1, 'the shared id in both namespaces');

        // Broadcasts.
        const heardHome: unknown[] = [];
        const heardOther: unknown[] = [];
        home.onBroadcast('cache', (d) => void heardHome.push(d));
        other.onBroadcast('cache', (d) => void heardOther.push(d));
        await f.settle();
        await other.broadcast('cache', 'other-only');
        await homePublisher.broadcast('cache', 'home-only');
        await waitFor(() => heardHome.length >= 1 && heardOther.length >= 1, 'both broadcasts');
        await sleep(200);
        expect(heardHome).toEqual(['home-only']);
        expect(heardOther).toEqual(['other-only']);
      });
    });
  });
}
