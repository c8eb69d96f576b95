import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger, newId } from '@dispatch/runtime';
import type { TokenServiceConfig } from '../config.js';
import { createKeyring, generateSigningKey } from '../keys/keyring.js';
import { createTokenService, type TokenService } from '../service.js';
import type { ApiTokenCredential } from '../store/api-token-repository.js';
import { MemoryApiTokenRepository } from '../store/memory-api-token-repository.js';
import { MemorySessionRepository } from '../store/memory-session-repository.js';
import { TOKEN_INVALIDATED_TOPIC } from '../use-cases/invalidate-api-token.js';

// Two token-service instances on one bus and one store, as in the mesh: the bus hands requests
// to them in turn, so every check below runs on both.

const logger = createLogger({ service: 'token-test', level: 'silent' });
const alice = newId('usr');
const acme = newId('biz');

/** The store, counting the authentication lookups that reach it; `gate` holds them back. */
class CountingRepository extends MemoryApiTokenRepository {
  reads = 0;
  gate: Promise<void> | undefined;
  override async findByHash(tokenHash: string): Promise<ApiTokenCredential | null> {
    this.reads++;
    const found = await super.findByHash(tokenHash);
    if (this.gate) await this.gate;
    return found;
  }
}

const running: { service: TokenService; bus: MemoryBus }[] = [];
afterEach(async () => {
  for (const { service, bus } of running.splice(0)) {
    await service.stop();
    await bus.drain();
  }
});

async function setup(config: Partial<TokenServiceConfig> = {}) {
  const hub = new MemoryHub();
  const store = new CountingRepository();
  const sessions = new MemorySessionRepository();
  const keyring = createKeyring([generateSigningKey('k1')]);
  const clock = { ms: Date.parse('2030-06-01T12:00:00.000Z') };
  for (const instance of ['t1', 't2']) {
    const bus = new MemoryBus(hub, 'test', logger);
    const service = createTokenService({ bus, logger, apiTokens: store, sessions, keyring, usageConsumer: `token-usage-${instance}`, config: { instance, ...config }, now: () => new Date(clock.ms) });
    await service.start();
    running.push({ service, bus });
  }
  const client = new MemoryBus(hub, 'test', logger);
  running.push({ service: { stop: async () => undefined } as TokenService, bus: client });
  client.serve('identity.listOwners', async () => ({ owners: [] }));
  const created = await client.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
  const validate = () => client.request('token.validate', { token: created.token });
  /** Validates on each instance (the bus alternates) and returns the results. */
  const validateOnBoth = async () => [await validate(), await validate()];
  return { client, store, clock, created, validate, validateOnBoth };
}

describe('validation cache (two instances)', () => {
  it('a warm instance validates without reading the store', async () => {
    const t = await setup();
    await t.validateOnBoth();
    const reads = t.store.reads;
    for (let i = 0; i < 10; i++) expect((await t.validate()).valid).toBe(true);
    expect(t.store.reads).toBe(reads);
  });

  it('a revocation on one instance is seen by the next validation on every instance', async () => {
    const t = await setup();
    await t.validateOnBoth();
    await t.client.request('token.revokeApiToken', { businessId: acme, tokenId: t.created.tokenInfo.id, revokedBy: alice });
    for (const reply of [...(await t.validateOnBoth()), ...(await t.validateOnBoth())]) {
      expect(reply).toMatchObject({ valid: false, reason: 'revoked' });
    }
  });

  it('a rotation with a grace period: the old token works on every instance until the grace ends, then is expired', async () => {
    const t = await setup();
    await t.validateOnBoth();
    await t.client.request('token.rotateApiToken', {
      businessId: acme,
      tokenId: t.created.tokenInfo.id,
      rotatedBy: alice,
      rotatorRole: 'owner',
      gracePeriodSeconds: 60,
    });
    for (const reply of await t.validateOnBoth()) expect(reply.valid).toBe(true);
    t.clock.ms += 60_000;
    for (const reply of await t.validateOnBoth()) expect(reply).toMatchObject({ valid: false, reason: 'expired' });
  });

  it('a rotation with no grace period revokes the old token on every instance at once', async () => {
    const t = await setup();
    await t.validateOnBoth();
    await t.client.request('token.rotateApiToken', {
      businessId: acme,
      tokenId: t.created.tokenInfo.id,
      rotatedBy: alice,
      rotatorRole: 'owner',
      gracePeriodSeconds: 0,
    });
    for (const reply of await t.validateOnBoth()) expect(reply).toMatchObject({ valid: false, reason: 'revoked' });
  });

  it('a store read that began before an invalidation is not cached (a stale record never comes back)', async () => {
    const t = await setup();
    let release!: () => void;
    t.store.gate = new Promise((r) => (release = r));
    const inFlight = t.validate(); // reads the active record, then waits at the gate
    await new Promise((r) => setTimeout(r, 10));
    await t.client.broadcast(TOKEN_INVALIDATED_TOPIC, { tokenId: newId('tok') });
    t.store.gate = undefined;
    release();
    expect((await inFlight).valid).toBe(true);
    const reads = t.store.reads;
    await t.validate(); // the same instance again (t1), after the other one
    await t.validate();
    expect(t.store.reads).toBe(reads + 2);
  });

  it('a malformed invalidation clears the whole cache', async () => {
    const t = await setup();
    await t.validateOnBoth();
    await t.client.broadcast(TOKEN_INVALIDATED_TOPIC, { tokenId: 42 });
    const reads = t.store.reads;
    await t.validateOnBoth();
    expect(t.store.reads).toBe(reads + 2);
  });

  it('with TOKEN_VALIDATION_CACHE_TTL_MS=0 every validation reads the store', async () => {
    const t = await setup({ validationCacheTtlMs: 0 });
    await t.validateOnBoth();
    const reads = t.store.reads;
    await t.validateOnBoth();
    expect(t.store.reads).toBe(reads + 2);
  });
});
