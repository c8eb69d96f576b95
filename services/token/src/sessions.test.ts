import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger, newId } from '@dispatch/runtime';
import { createKeyring, generateSigningKey } from './keys/keyring.js';
import { createTokenService, type TokenService } from './service.js';
import { MemoryApiTokenRepository } from './store/memory-api-token-repository.js';
import { MemorySessionRepository } from './store/memory-session-repository.js';

const logger = createLogger({ service: 'token-sessions-test', level: 'silent' });
const running: { service: TokenService; bus: MemoryBus }[] = [];

afterEach(async () => {
  for (const { service, bus } of running.splice(0)) {
    await service.stop();
    await bus.drain();
  }
});

async function setup() {
  const bus = new MemoryBus(new MemoryHub(), 'test', logger);
  const clock = { ms: Date.parse('2025-06-01T12:00:00.000Z') };
  const service = createTokenService({
    bus,
    logger,
    apiTokens: new MemoryApiTokenRepository(),
    sessions: new MemorySessionRepository(),
    keyring: createKeyring([generateSigningKey('k1')]),
    config: { instance: 'token-1', sessionTtlSeconds: 3600 },
    now: () => new Date(clock.ms),
  });
  await service.start();
  running.push({ service, bus });
  return { bus, clock };
}

const alice = newId('usr');
const bob = newId('usr');
const acme = newId('biz');

describe('sessions of a user', () => {
  it('lists the active sessions, newest first, marking the current one; never a token', async () => {
    const { bus, clock } = await setup();
    const first = await bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    clock.ms += 1000;
    const second = await bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    await bus.request('token.createSession', { userId: bob, businessId: acme, role: 'viewer' });

    const reply = await bus.request('token.listSessions', { userId: alice, currentSessionId: first.sessionId });
    expect(reply).toEqual({
      sessions: [
        { id: second.sessionId, createdAt: '2025-06-01T12:00:01.000Z', expiresAt: '2025-06-01T13:00:01.000Z', current: false },
        { id: first.sessionId, createdAt: '2025-06-01T12:00:00.000Z', expiresAt: '2025-06-01T13:00:00.000Z', current: true },
      ],
    });
    const text = JSON.stringify(reply);
    for (const token of [first.token, second.token]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]);
    }

    // Logged out and expired sessions are not listed.
    await bus.request('token.revokeSession', { userId: alice, sessionId: second.sessionId });
    expect((await bus.request('token.listSessions', { userId: alice })).sessions.map((s) => s.id)).toEqual([first.sessionId]);
    clock.ms += 3600_000;
    expect(await bus.request('token.listSessions', { userId: alice })).toEqual({ sessions: [] });
  });

  it("revokes every session but the kept one; the others stop validating at once", async () => {
    const { bus } = await setup();
    const keep = await bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    const a = await bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    const b = await bus.request('token.createSession', { userId: alice, businessId: acme, role: 'owner' });
    const other = await bus.request('token.createSession', { userId: bob, businessId: acme, role: 'viewer' });

    await expect(bus.request('token.revokeUserSessions', { userId: alice, exceptSessionId: keep.sessionId })).resolves.toEqual({ revoked: 2 });
    for (const s of [a, b]) await expect(bus.request('token.validate', { token: s.token })).resolves.toEqual({ valid: false, reason: 'revoked' });
    for (const s of [keep, other]) await expect(bus.request('token.validate', { token: s.token })).resolves.toMatchObject({ valid: true });

    await expect(bus.request('token.revokeUserSessions', { userId: alice })).resolves.toEqual({ revoked: 1 });
    await expect(bus.request('token.validate', { token: keep.token })).resolves.toEqual({ valid: false, reason: 'revoked' });
    await expect(bus.request('token.validate', { token: other.token })).resolves.toMatchObject({ valid: true });
    await expect(bus.request('token.revokeUserSessions', { userId: alice })).resolves.toEqual({ revoked: 0 });
  });

  it("does not revoke another user's session by id", async () => {
    const { bus } = await setup();
    const bobs = await bus.request('token.createSession', { userId: bob, businessId: acme, role: 'viewer' });
    await expect(bus.request('token.revokeSession', { userId: alice, sessionId: bobs.sessionId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(bus.request('token.validate', { token: bobs.token })).resolves.toMatchObject({ valid: true });
  });
});
