import { SignJWT, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DispatchError, type DomainEvent, type TokenRecord } from '@dispatch/contracts';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger, newId } from '@dispatch/runtime';
import { createKeyring, generateSigningKey, type Keyring } from './keys/keyring.js';
import { createTokenService, type TokenService } from './service.js';
import { MemoryApiTokenRepository } from './store/memory-api-token-repository.js';
import { MemorySessionRepository } from './store/memory-session-repository.js';
import { sha256Hex } from './tokens/hash.js';
import { signApiToken, signSessionToken } from './tokens/jwt.js';
import type { TokenServiceConfig } from './config.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const alice = newId('usr');
const bob = newId('usr');
const acme = newId('biz');
const globex = newId('biz');

interface Harness {
  bus: MemoryBus;
  /** Every domain event published, as a durable consumer receives it. */
  events: DomainEvent[];
  service: TokenService;
  apiTokens: MemoryApiTokenRepository;
  sessions: MemorySessionRepository;
  keyring: Keyring;
  clock: { ms: number };
  broadcasts: unknown[];
}

const running: TokenService[] = [];
const buses: MemoryBus[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.stop();
  for (const bus of buses.splice(0)) await bus.drain();
});

const settle = () => new Promise((r) => setTimeout(r, 30));
const eventsOf = (h: Harness, type: string) => h.events.filter((e) => e.type === type);

async function setup(
  options: {
    keyring?: Keyring;
    config?: Partial<TokenServiceConfig>;
    apiTokens?: MemoryApiTokenRepository;
    sessions?: MemorySessionRepository;
    realClock?: boolean;
    storesReady?: () => boolean;
  } = {},
): Promise<Harness> {
  const hub = new MemoryHub();
  const bus = new MemoryBus(hub, 'test', logger);
  const apiTokens = options.apiTokens ?? new MemoryApiTokenRepository();
  const sessions = options.sessions ?? new MemorySessionRepository();
  const keyring = options.keyring ?? createKeyring([generateSigningKey('k1')]);
  const clock = { ms: Date.parse('2025-06-01T12:00:00.000Z') };
  const service = createTokenService({
    bus,
    logger,
    apiTokens,
    sessions,
    keyring,
    config: { instance: 'token-1', ...options.config },
    ...(options.realClock ? {} : { now: () => new Date(clock.ms) }),
    ...(options.storesReady ? { storesReady: options.storesReady } : {}),
  });
  await service.start();
  running.push(service);
  buses.push(bus);
  const broadcasts: unknown[] = [];
  bus.onBroadcast('token.invalidated', (data) => broadcasts.push(data));
  const events: DomainEvent[] = [];
  await bus.consume('test-observer', async (event) => {
    events.push(event);
  });
  return { bus, events, service, apiTokens, sessions, keyring, clock, broadcasts };
}

async function dispatchError(promise: Promise<unknown>): Promise<DispatchError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DispatchError) return err;
    throw err;
  }
  throw new Error('expected a DispatchError');
}

describe('API tokens', () => {
  it('creates a token, shows its secret once and validates it to an api principal', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: '  CI deploys ' });
    expect(created.token.startsWith('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIs')).toBe(true);
    expect(created.tokenInfo).toEqual({
      id: created.tokenInfo.id,
      description: 'CI deploys',
      status: 'active',
      createdAt: '2025-06-01T12:00:00.000Z',
      createdBy: alice,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      scopes: ['*'],
      revocationReason: null,
      rotatedFrom: null,
      rotatedTo: null,
      rotatedAt: null,
      graceEndsAt: null,
      callsSinceRotation: null,
      rateLimit: { limit: 1000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'free' },
    });
    expect(created.tokenInfo.id).toMatch(/^tok_[0-9a-z]{26}$/);

    // Only the hash is stored.
    const stored = await h.apiTokens.get(acme, created.tokenInfo.id);
    expect(stored?.tokenHash).toBe(sha256Hex(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token);

    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({
      valid: true,
      principal: { kind: 'api', businessId: acme, tokenId: created.tokenInfo.id, scopes: ['*'], rateLimit: { enforce: { limit: 1000, windowSeconds: 3600 } } },
    });

    await vi.waitFor(() => expect(h.events).toHaveLength(1));
    await settle();
    expect(h.events.map((e) => [e.type, e.data])).toEqual([
      [
        'token.created',
        { businessId: acme, tokenId: created.tokenInfo.id, description: 'CI deploys', createdBy: alice, scopes: ['*'], expiresAt: null, notifyEmails: [] },
      ],
    ]);
  });

  it('lists the business tokens newest first, never with the secret or hash', async () => {
    const h = await setup();
    const first = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'first' });
    h.clock.ms += 1000;
    const second = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: bob, creatorRole: 'owner', description: 'second' });
    await h.bus.request('token.createApiToken', { businessId: globex, createdBy: bob, creatorRole: 'owner', description: 'other business' });

    const listed = await h.bus.request('token.listApiTokens', { businessId: acme });
    expect(listed.tokens).toEqual([second.tokenInfo, first.tokenInfo]);
    expect(listed.tokens.map((t) => [t.description, t.status, t.createdAt])).toEqual([
      ['second', 'active', '2025-06-01T12:00:01.000Z'],
      ['first', 'active', '2025-06-01T12:00:00.000Z'],
    ]);
    for (const record of listed.tokens) {
      expect(Object.keys(record).sort()).toEqual(
        [
          'createdAt',
          'createdBy',
          'description',
          'expiresAt',
          'id',
          'lastUsedAt',
          'rateLimit',
          'revokedAt',
          'revokedBy',
          'status',
          'scopes',
          'revocationReason',
          'rotatedFrom',
          'rotatedTo',
          'rotatedAt',
          'graceEndsAt',
          'callsSinceRotation',
        ].sort(),
      );
    }
    const text = JSON.stringify(listed);
    expect(text).not.toContain(first.token);
    expect(text).not.toContain(sha256Hex(first.token));
    expect((await h.bus.request('token.listApiTokens', { businessId: newId('biz') })).tokens).toEqual([]);
  });

  it('revokes immediately: validate says revoked and the list says revoked', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    h.clock.ms += 60_000;
    const revoked = await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: bob });
    const expected: TokenRecord = { ...created.tokenInfo, status: 'revoked', revokedAt: '2025-06-01T12:01:00.000Z', revokedBy: bob };
    expect(revoked).toEqual({ tokenInfo: expected });
    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({
      valid: false,
      reason: 'revoked',
      tokenId: created.tokenInfo.id,
      businessId: acme,
    });
    expect((await h.bus.request('token.listApiTokens', { businessId: acme })).tokens).toEqual([expected]);
    await vi.waitFor(() => expect(eventsOf(h, 'token.revoked')).toHaveLength(1));
    await settle();
    expect(eventsOf(h, 'token.revoked').map((e) => e.data)).toEqual([
      { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: bob, description: 'CI', reason: null, notifyEmails: [] },
    ]);
    expect(h.broadcasts).toEqual([{ tokenId: created.tokenInfo.id }]);
  });

  it('revoking twice is idempotent: same record, first revocation kept, one event', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const first = await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: alice });
    h.clock.ms += 5000;
    const second = await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: bob });
    expect(second).toEqual(first);
    expect(second.tokenInfo.revokedBy).toBe(alice);
    expect(second.tokenInfo.revokedAt).toBe('2025-06-01T12:00:00.000Z');
    await vi.waitFor(() => expect(eventsOf(h, 'token.revoked')).toHaveLength(1));
    await settle();
    expect(eventsOf(h, 'token.revoked').map((e) => e.data)).toEqual([
      { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: alice, description: 'CI', reason: null, notifyEmails: [] },
    ]);
    expect(h.broadcasts).toEqual([{ tokenId: created.tokenInfo.id }, { tokenId: created.tokenInfo.id }]);
  });

  it("another business's token and an unknown id are NOT_FOUND, and stay valid", async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const foreign = await dispatchError(h.bus.request('token.revokeApiToken', { businessId: globex, tokenId: created.tokenInfo.id, revokedBy: bob }));
    expect([foreign.code, foreign.message, foreign.status]).toEqual(['NOT_FOUND', 'Token not found', 404]);
    const unknown = await dispatchError(h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: newId('tok'), revokedBy: alice }));
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', 'Token not found']);
    expect((await h.bus.request('token.validate', { token: created.token })).valid).toBe(true);
    await vi.waitFor(() => expect(eventsOf(h, 'token.created')).toHaveLength(1));
    await settle();
    expect(eventsOf(h, 'token.revoked')).toEqual([]);
    expect(h.broadcasts).toEqual([]);
  });

  it('a token past its expiresAt is expired in validate and list', async () => {
    const h = await setup();
    const tokenId = newId('tok');
    const token = await signApiToken(h.keyring, { tokenId, businessId: acme });
    await h.apiTokens.create({
      id: tokenId,
      businessId: acme,
      tokenHash: sha256Hex(token),
      description: 'short-lived',
      createdBy: alice,
      rateLimit: null,
      createdAt: new Date('2025-05-01T00:00:00.000Z'),
      lastUsedAt: null,
      expiresAt: new Date('2025-06-01T12:00:00.000Z'),
      revokedAt: null,
      revokedBy: null,
      scopes: ['*'],
      revocationReason: null,
      rotatedFrom: null,
    });
    expect(await h.bus.request('token.validate', { token })).toEqual({ valid: false, reason: 'expired', tokenId, businessId: acme });
    expect((await h.bus.request('token.listApiTokens', { businessId: acme })).tokens.map((t) => t.status)).toEqual(['expired']);
    h.clock.ms -= 1;
    expect((await h.bus.request('token.validate', { token })).valid).toBe(true);
  });

  it('a well-signed token the store does not know is unknown_token', async () => {
    const h = await setup();
    const token = await signApiToken(h.keyring, { tokenId: newId('tok'), businessId: acme });
    expect(await h.bus.request('token.validate', { token })).toEqual({ valid: false, reason: 'unknown_token' });
  });
});

describe('validation rejects forged and malformed tokens', () => {
  it('a token signed with another key: bad_signature (same kid) or unknown_key (other kid)', async () => {
    const h = await setup();
    const sameKidOtherSecret = createKeyring([generateSigningKey('k1')]);
    const otherKid = createKeyring([generateSigningKey('k2')]);
    const forged = await signApiToken(sameKidOtherSecret, { tokenId: newId('tok'), businessId: acme });
    const foreign = await signApiToken(otherKid, { tokenId: newId('tok'), businessId: acme });
    expect(await h.bus.request('token.validate', { token: forged })).toEqual({ valid: false, reason: 'bad_signature' });
    expect(await h.bus.request('token.validate', { token: foreign })).toEqual({ valid: false, reason: 'unknown_key' });
  });

  it('a real token re-signed with another key, or with a swapped payload, is bad_signature', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const [head, payload, signature] = created.token.split('.');
    const other = await h.bus.request('token.createApiToken', { businessId: globex, createdBy: bob, creatorRole: 'owner', description: 'CI' });
    const [, otherPayload] = other.token.split('.');
    expect(await h.bus.request('token.validate', { token: `${head}.${otherPayload}.${signature}` })).toEqual({
      valid: false,
      reason: 'bad_signature',
    });
    const flipped = `${signature?.slice(0, -2)}${signature?.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await h.bus.request('token.validate', { token: `${head}.${payload}.${flipped}` })).toEqual({ valid: false, reason: 'bad_signature' });
  });

  it('alg:none (hand-built) is malformed, with or without a signature part', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const [, payload] = created.token.split('.');
    const none = b64({ alg: 'none', typ: 'JWT', kid: 'k1' });
    expect(await h.bus.request('token.validate', { token: `${none}.${payload}.` })).toEqual({ valid: false, reason: 'malformed' });
    expect(await h.bus.request('token.validate', { token: `${none}.${payload}.c2ln` })).toEqual({ valid: false, reason: 'malformed' });
  });

  it('HS512 with a valid kid and the right secret is malformed', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const claims = JSON.parse(Buffer.from(created.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512', typ: 'JWT', kid: 'k1' }).sign(h.keyring.active.secret);
    expect(await h.bus.request('token.validate', { token: hs512 })).toEqual({ valid: false, reason: 'malformed' });
  });

  it.each([['garbage'], ['Bearer abc'], ['a.b.c'], ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...']])('%s is malformed', async (token) => {
    const h = await setup();
    expect(await h.bus.request('token.validate', { token })).toEqual({ valid: false, reason: 'malformed' });
  });

  it('a bearer string longer than MAX_TOKEN_LENGTH is refused by the contract', async () => {
    const h = await setup();
    const err = await dispatchError(h.bus.request('token.validate', { token: 'a'.repeat(2049) }));
    expect(err.code).toBe('VALIDATION_ERROR');
  });
});

describe('key rotation', () => {
  it('tokens signed with the old key still validate once a new key is active; new tokens use the new kid', async () => {
    const oldKey = generateSigningKey('2024');
    const newKey = generateSigningKey('2025');
    const apiTokens = new MemoryApiTokenRepository();
    const sessions = new MemorySessionRepository();
    const before = await setup({ keyring: createKeyring([oldKey]), apiTokens, sessions });
    const old = await before.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'old' });
    const oldSession = await before.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    await before.service.stop();

    const after = await setup({ keyring: createKeyring([oldKey, newKey], '2025'), apiTokens, sessions });
    expect(decodeProtectedHeader(old.token).kid).toBe('2024');
    expect(await after.bus.request('token.validate', { token: old.token })).toEqual({
      valid: true,
      principal: { kind: 'api', businessId: acme, tokenId: old.tokenInfo.id, scopes: ['*'], rateLimit: { enforce: { limit: 1000, windowSeconds: 3600 } } },
    });
    expect((await after.bus.request('token.validate', { token: oldSession.token })).valid).toBe(true);
    const fresh = await after.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'new' });
    expect(decodeProtectedHeader(fresh.token).kid).toBe('2025');
    expect((await after.bus.request('token.validate', { token: fresh.token })).valid).toBe(true);
    await after.service.stop();

    // Once the old key is removed from the ring, its tokens stop verifying.
    const retired = await setup({ keyring: createKeyring([newKey]), apiTokens, sessions });
    expect(await retired.bus.request('token.validate', { token: old.token })).toEqual({ valid: false, reason: 'unknown_key' });
    expect((await retired.bus.request('token.validate', { token: fresh.token })).valid).toBe(true);
  });
});

describe('sessions', () => {
  it('creates a session token that validates to a session principal, with the configured TTL', async () => {
    const h = await setup({ config: { sessionTtlSeconds: 3600 } });
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'admin' });
    expect(created.sessionId).toMatch(/^ses_[0-9a-z]{26}$/);
    expect(created.expiresAt).toBe('2025-06-01T13:00:00.000Z');
    expect(decodeProtectedHeader(created.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({
      valid: true,
      principal: { kind: 'session', businessId: acme, userId: alice, sessionId: created.sessionId, role: 'admin' },
    });
    const stored = await h.sessions.get(acme, created.sessionId);
    expect(stored).toEqual({
      id: created.sessionId,
      userId: alice,
      businessId: acme,
      role: 'admin',
      tokenHash: sha256Hex(created.token),
      createdAt: new Date('2025-06-01T12:00:00.000Z'),
      expiresAt: new Date('2025-06-01T13:00:00.000Z'),
      revokedAt: null,
    });
  });

  it('uses an 8-hour TTL by default', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'viewer' });
    expect(created.expiresAt).toBe('2025-06-01T20:00:00.000Z');
  });

  it('logout revokes the session (idempotently); another user gets NOT_FOUND', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    const wrongUser = await dispatchError(h.bus.request('token.revokeSession', { sessionId: created.sessionId, userId: bob }));
    expect([wrongUser.code, wrongUser.message]).toEqual(['NOT_FOUND', 'Session not found']);
    expect((await h.bus.request('token.validate', { token: created.token })).valid).toBe(true);

    h.clock.ms += 10_000;
    expect(await h.bus.request('token.revokeSession', { sessionId: created.sessionId, userId: alice })).toEqual({ revoked: true });
    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({ valid: false, reason: 'revoked' });
    h.clock.ms += 10_000;
    expect(await h.bus.request('token.revokeSession', { sessionId: created.sessionId, userId: alice })).toEqual({ revoked: true });
    expect((await h.sessions.get(acme, created.sessionId))?.revokedAt).toEqual(new Date('2025-06-01T12:00:10.000Z'));

    const unknown = await dispatchError(h.bus.request('token.revokeSession', { sessionId: newId('ses'), userId: alice }));
    expect(unknown.code).toBe('NOT_FOUND');
  });

  it('expires at its TTL (moved clock)', async () => {
    const h = await setup({ config: { sessionTtlSeconds: 60 } });
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'developer' });
    h.clock.ms += 59_999;
    expect((await h.bus.request('token.validate', { token: created.token })).valid).toBe(true);
    h.clock.ms += 1;
    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({ valid: false, reason: 'expired' });
  });

  it('expires at its TTL (real clock, 1 s TTL)', async () => {
    const h = await setup({ config: { sessionTtlSeconds: 1 }, realClock: true });
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'developer' });
    expect((await h.bus.request('token.validate', { token: created.token })).valid).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await h.bus.request('token.validate', { token: created.token })).toEqual({ valid: false, reason: 'expired' });
  });

  it('a well-signed session token that does not match its stored session is unknown_token', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    const iat = Math.floor(h.clock.ms / 1000);
    const claims = { userId: alice, sessionId: created.sessionId, role: 'owner' as const, iat, exp: iat + 600 };
    const otherBusiness = await signSessionToken(h.keyring, { ...claims, businessId: globex });
    const sameClaimsNewToken = await signSessionToken(h.keyring, { ...claims, businessId: acme, iat: iat + 1 });
    const otherUser = await signSessionToken(h.keyring, { ...claims, businessId: acme, userId: bob });
    expect(await h.bus.request('token.validate', { token: otherBusiness })).toEqual({ valid: false, reason: 'unknown_token' });
    expect(await h.bus.request('token.validate', { token: sameClaimsNewToken })).toEqual({ valid: false, reason: 'unknown_token' });
    expect(await h.bus.request('token.validate', { token: otherUser })).toEqual({ valid: false, reason: 'unknown_token' });
  });

  it('purges expired sessions', async () => {
    const h = await setup({ config: { sessionTtlSeconds: 60 } });
    const created = await h.bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    expect(await h.service.purgeExpiredSessions()).toBe(0);
    h.clock.ms += 61_000;
    expect(await h.service.purgeExpiredSessions()).toBe(1);
    expect(await h.sessions.get(acme, created.sessionId)).toBeNull();
  });
});

describe('lastUsedAt', () => {
  it('is recorded in memory and written on flush, moving forward only', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    h.clock.ms += 30_000;
    await h.bus.request('token.validate', { token: created.token });
    expect((await h.bus.request('token.listApiTokens', { businessId: acme })).tokens[0]?.lastUsedAt).toBeNull();
    await h.service.flushLastUsed();
    expect((await h.bus.request('token.listApiTokens', { businessId: acme })).tokens[0]?.lastUsedAt).toBe('2025-06-01T12:00:30.000Z');
    h.clock.ms += 30_000;
    await h.bus.request('token.validate', { token: created.token });
    await h.bus.request('token.validate', { token: created.token });
    await h.service.flushLastUsed();
    expect((await h.bus.request('token.listApiTokens', { businessId: acme })).tokens[0]?.lastUsedAt).toBe('2025-06-01T12:01:00.000Z');
  });

  it('is not recorded for a rejected (revoked) token', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: alice });
    await h.bus.request('token.validate', { token: created.token });
    await h.service.flushLastUsed();
    expect((await h.apiTokens.get(acme, created.tokenInfo.id))?.lastUsedAt).toBeNull();
  });

  it('is flushed on the configured interval', async () => {
    const h = await setup({ config: { lastUsedFlushMs: 50 }, realClock: true });
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    const before = Date.now();
    await h.bus.request('token.validate', { token: created.token });
    const deadline = Date.now() + 5000;
    let lastUsedAt: Date | null | undefined = null;
    while (!lastUsedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      lastUsedAt = (await h.apiTokens.get(acme, created.tokenInfo.id))?.lastUsedAt;
    }
    expect(lastUsedAt).toBeInstanceOf(Date);
    expect(lastUsedAt?.getTime()).toBeGreaterThanOrEqual(before);
    expect(lastUsedAt?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('is flushed when the service stops', async () => {
    const h = await setup();
    const created = await h.bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI' });
    h.clock.ms += 1234;
    await h.bus.request('token.validate', { token: created.token });
    expect((await h.apiTokens.get(acme, created.tokenInfo.id))?.lastUsedAt).toBeNull();
    await h.service.stop();
    expect((await h.apiTokens.get(acme, created.tokenInfo.id))?.lastUsedAt).toEqual(new Date('2025-06-01T12:00:01.234Z'));
    const stopped = await dispatchError(h.bus.request('token.validate', { token: created.token }));
    expect(stopped.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('ping', () => {
  it('answers with the service, instance and store readiness', async () => {
    let ready = true;
    const h = await setup({ storesReady: () => ready });
    expect(await h.bus.request('token.ping', {})).toEqual({ service: 'token', instance: 'token-1', ready: true });
    ready = false;
    expect(await h.bus.request('token.ping', {})).toEqual({ service: 'token', instance: 'token-1', ready: false });
  });
});
