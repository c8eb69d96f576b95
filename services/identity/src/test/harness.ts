import { MemoryBus, MemoryHub } from '@dispatch/bus';
import type { DomainEvent, EventType, RegisterRequest } from '@dispatch/contracts';
import { createLogger } from '@dispatch/runtime';
import { waitUntil } from '@dispatch/testkit';
import { createIdentityService, type IdentityService } from '../service.js';
import type { BusinessRepository } from '../store/business-repository.js';
import type { InviteRepository } from '../store/invite-repository.js';
import type { UserRepository } from '../store/user-repository.js';
import type { PasswordResetTokenRepository, VerificationTokenRepository } from '../store/verification-token-repository.js';
import { T0 } from './fixtures.js';

export interface Stores {
  users: UserRepository;
  businesses: BusinessRepository;
  verifications: VerificationTokenRepository;
  resets: PasswordResetTokenRepository;
  invites: InviteRepository;
}

export interface Harness extends Stores {
  bus: MemoryBus;
  service: IdentityService;
  events: DomainEvent[];
  /** Moves the service's clock forward. */
  advance(ms: number): void;
  now(): Date;
  /** Waits until `count` events of `type` have been published, and returns them all. */
  eventsOf<T extends EventType>(type: T, count?: number): Promise<DomainEvent<T>[]>;
  stop(): Promise<void>;
}

/** An identity service on a MemoryBus with a collector consuming every event. Cheap scrypt for speed. */
export async function startHarness(stores: Stores): Promise<Harness> {
  const logger = createLogger({ service: 'identity-test', level: 'silent' });
  const hub = new MemoryHub();
  const bus = new MemoryBus(hub, 'test', logger);
  let now = T0.getTime();
  const service = createIdentityService({
    bus,
    logger,
    ...stores,
    config: { instance: 'identity-test-1', scrypt: { N: 1024 } },
    clock: () => new Date(now),
  });
  await service.start();
  const events: DomainEvent[] = [];
  await bus.consume('test-collector', async (event) => {
    events.push(event);
  });
  const ofType = <T extends EventType>(type: T): DomainEvent<T>[] => events.filter((e): e is DomainEvent<T> => e.type === type);
  return {
    ...stores,
    bus,
    service,
    events,
    advance: (ms) => {
      now += ms;
    },
    now: () => new Date(now),
    async eventsOf(type, count = 1) {
      await waitUntil(() => ofType(type).length >= count, 5000, `${count} ${type} event(s)`);
      return ofType(type);
    },
    async stop() {
      await service.stop();
      await bus.drain();
    },
  };
}

export const registration = (over: Partial<RegisterRequest> = {}): RegisterRequest => ({
  email: 'ada@example.com',
  password: 'analytical-engine',
  confirmPassword: over.password ?? 'analytical-engine',
  firstName: 'Ada',
  lastName: 'Lovelace',
  acceptedTerms: true,
  ...over,
});

/** The code (and details) of a rejected bus request. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; details?: unknown };
    return { code: String(e.code), message: String(e.message), details: e.details };
  }
  throw new Error('expected the request to fail, but it succeeded');
}

/** Gives the event collector a moment to catch up before asserting that something was NOT published. */
export const settleEvents = (): Promise<void> => new Promise((r) => setTimeout(r, 50));
