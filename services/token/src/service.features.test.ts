import { afterEach, describe, expect, it, vi } from 'vitest';
import { DispatchError, type DomainEvent } from '@dispatch/contracts';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger, newId } from '@dispatch/runtime';
import { createKeyring, generateSigningKey } from './keys/keyring.js';
import { createTokenService, type TokenService } from './service.js';
import { MemoryApiTokenRepository } from './store/memory-api-token-repository.js';
import { MemorySessionRepository } from './store/memory-session-repository.js';
import { MemoryAuditRepository } from './store/memory-audit-repository.js';
import type { TokenServiceConfig } from './config.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });
const alice = newId('usr');
const acme = newId('biz');
const globex = newId('biz');
const owners = ['owner@acme.example'];

const running: { service: TokenService; bus: MemoryBus }[] = [];
afterEach(async () => {
  for (const { service, bus } of running.splice(0)) {
    await service.stop();
    await bus.drain();
  }
});

async function setup(config: Partial<TokenServiceConfig> = {}, options: { identity?: boolean } = {}) {
  const hub = new MemoryHub();
  const bus = new MemoryBus(hub, 'test', logger);
  const clock = { ms: Date.parse('2030-06-01T12:00:00.000Z') };
  const audit = new MemoryAuditRepository();
  const service = createTokenService({
    bus,
    logger,
    apiTokens: new MemoryApiTokenRepository(),
    sessions: new MemorySessionRepository(),
    audit,
    keyring: createKeyring([generateSigningKey('k1'), generateSigningKey('k2')]),
    config: { instance: 't1', ...config },
    now: () => new Date(clock.ms),
  });
  if (options.identity !== false) {
    bus.serve('identity.listOwners', async () => ({ owners: owners.map((email) => ({ userId: alice, email })) }));
  }
  await service.start();
  running.push({ service, bus });
  const events: DomainEvent[] = [];
  await bus.consume('observer', async (e) => void events.push(e));
  const create = (over: Record<string, unknown> = {}) =>
    bus.request('token.createApiToken', { businessId: acme, createdBy: alice, creatorRole: 'owner', description: 'CI', ...over });
  return { bus, clock, service, events, audit, create };
}

async function failure(p: Promise<unknown>): Promise<DispatchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DispatchError) return err;
    throw err;
  }
  throw new Error('expected a DispatchError');
}

describe('scopes and roles', () => {
  it('defaults to * for owners and to the role’s scopes for developers; validate returns them', async () => {
    const h = await setup();
    const full = await h.create();
    expect(full.tokenInfo.scopes).toEqual(['*']);
    const dev = await h.create({ creatorRole: 'developer' });
    expect(dev.tokenInfo.scopes).toEqual(['echo:read', 'echo:write', 'orders:read', 'orders:write']);
    const narrow = await h.create({ scopes: ['orders:read', 'orders:read'] });
    expect(narrow.tokenInfo.scopes).toEqual(['orders:read']);
    const v = await h.bus.request('token.validate', { token: narrow.token });
    expect(v.valid && v.principal.kind === 'api' ? v.principal.scopes : null).toEqual(['orders:read']);
  });

  it('never grants more than the creator’s role: 403 insufficient_role', async () => {
    const h = await setup();
    for (const scopes of [['*'], ['billing:read'], ['orders:read', 'billing:write']]) {
      const err = await failure(h.create({ creatorRole: 'developer', scopes }));
      expect([err.code, err.details?.['reason']]).toEqual(['FORBIDDEN', 'insufficient_role']);
    }
    expect((await h.create({ creatorRole: 'admin', scopes: ['billing:read'] })).tokenInfo.scopes).toEqual(['billing:read']);
  });
});

describe('expiry, cap and audit', () => {
  it('rejects a past expiresAt; a token expires at its expiresAt and the sweep audits it once', async () => {
    const h = await setup();
    const past = await failure(h.create({ expiresAt: '2030-06-01T11:59:59.000Z' }));
    expect([past.code, past.details]).toEqual(['VALIDATION_ERROR', { fields: { expiresAt: 'expiresAt must be in the future' } }]);
    const created = await h.create({ expiresAt: '2030-06-01T12:00:05.000Z' });
    expect((await h.bus.request('token.validate', { token: created.token })).valid).toBe(true);
    h.clock.ms += 5000;
    expect(await h.bus.request('token.validate', { token: created.token, clientIp: '198.51.100.9', route: 'GET /api/v1/Orders' })).toEqual({
      valid: false,
      reason: 'expired',
      tokenId: created.tokenInfo.id,
      businessId: acme,
    });
    expect(await h.service.sweepExpired()).toBe(1);
    expect(await h.service.sweepExpired()).toBe(1);
    await h.service.flushLastUsed();
    const audit = await h.bus.request('token.listAudit', { businessId: acme, tokenId: created.tokenInfo.id, limit: 10 });
    const rows = audit.records.map((r) => [r.action, r.actor.type, r.clientIp, r.count]);
    // The expiry and the attempt share a timestamp (the moved clock): their order is the ids'.
    expect(rows.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ['token.used_after_expiry', 'token', '198.51.100.9', 1],
        ['token.expired', 'system', null, 1],
      ]),
    );
    expect(rows[2]).toEqual(['token.created', 'user', null, 1]);
    expect(rows).toHaveLength(3);
  });

  it('caps active tokens per business (409 CONFLICT); revoking frees a slot', async () => {
    const h = await setup({ maxActiveTokensPerBusiness: 2 });
    const a = await h.create();
    await h.create();
    const err = await failure(h.create());
    expect([err.code, err.status, err.details]).toEqual(['CONFLICT', 409, { reason: 'token_limit', limit: 2 }]);
    expect(err.message).toMatch(/2 active API tokens/);
    await h.bus.request('token.createApiToken', { businessId: globex, createdBy: alice, creatorRole: 'owner', description: 'other' });
    await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: a.tokenInfo.id, revokedBy: alice, reason: 'no longer needed' });
    await h.create();
  });

  it('pages the audit newest first with an opaque cursor; a forged cursor is 400', async () => {
    const h = await setup();
    for (let i = 0; i < 5; i++) {
      await h.create({ description: `t${i}` });
      h.clock.ms += 1000;
    }
    const first = await h.bus.request('token.listAudit', { businessId: acme, limit: 2 });
    const second = await h.bus.request('token.listAudit', { businessId: acme, limit: 2, cursor: first.nextCursor ?? '' });
    const third = await h.bus.request('token.listAudit', { businessId: acme, limit: 2, cursor: second.nextCursor ?? '' });
    expect([...first.records, ...second.records, ...third.records].map((r) => r.details?.['description'])).toEqual(['t4', 't3', 't2', 't1', 't0']);
    expect(third.nextCursor).toBeNull();
    const bad = await failure(h.bus.request('token.listAudit', { businessId: acme, limit: 2, cursor: 'not-a-cursor' }));
    expect(bad.code).toBe('VALIDATION_ERROR');
    expect((await h.bus.request('token.listAudit', { businessId: globex, limit: 10 })).records).toEqual([]);
  });

  it('security events carry the owners’ emails; identity down still creates and revokes', async () => {
    const h = await setup();
    const created = await h.create();
    await h.bus.request('token.revokeApiToken', { businessId: acme, tokenId: created.tokenInfo.id, revokedBy: alice, reason: 'leaked' });
    await vi.waitFor(() => expect(h.events.filter((e) => e.type.startsWith('token.'))).toHaveLength(2));
    expect(h.events.map((e) => [e.type, (e.data as { notifyEmails: string[] }).notifyEmails])).toEqual([
      ['token.created', owners],
      ['token.revoked', owners],
    ]);
    expect((h.events[1]?.data as { reason: string }).reason).toBe('leaked');

    const down = await setup({ identityTimeoutMs: 100 }, { identity: false });
    const t = await down.create();
    const r = await down.bus.request('token.revokeApiToken', { businessId: acme, tokenId: t.tokenInfo.id, revokedBy: alice });
    expect(r.tokenInfo.status).toBe('revoked');
  });
});

describe('rotation', () => {
  it('issues a new token with the same description and scopes; the old one works until the grace ends', async () => {
    const h = await setup({ maxActiveTokensPerBusiness: 1 });
    const old = await h.create({ description: 'sync', scopes: ['orders:read'] });
    const rotated = await h.bus.request('token.rotateApiToken', {
      businessId: acme,
      tokenId: old.tokenInfo.id,
      rotatedBy: alice,
      rotatorRole: 'owner',
      gracePeriodSeconds: 60,
    });
    // The cap of 1 did not stop the rotation: the new token took the old one's slot.
    expect(rotated.tokenInfo).toMatchObject({ description: 'sync', scopes: ['orders:read'], rotatedFrom: old.tokenInfo.id, status: 'active' });
    expect(rotated.previous).toMatchObject({ status: 'active', rotatedTo: rotated.tokenInfo.id, graceEndsAt: '2030-06-01T12:01:00.000Z', callsSinceRotation: 0 });
    for (let i = 0; i < 3; i++) expect((await h.bus.request('token.validate', { token: old.token })).valid).toBe(true);
    expect((await h.bus.request('token.validate', { token: rotated.token })).valid).toBe(true);
    await h.service.flushLastUsed();
    const info = await h.bus.request('token.getApiToken', { businessId: acme, tokenId: old.tokenInfo.id });
    expect(info.tokenInfo).toMatchObject({ callsSinceRotation: 3, lastUsedAt: '2030-06-01T12:00:00.000Z' });
    const again = await failure(
      h.bus.request('token.rotateApiToken', { businessId: acme, tokenId: old.tokenInfo.id, rotatedBy: alice, rotatorRole: 'owner', gracePeriodSeconds: 0 }),
    );
    expect([again.code, again.details?.['rotatedTo']]).toEqual(['CONFLICT', rotated.tokenInfo.id]);
    h.clock.ms += 60_000;
    expect(await h.bus.request('token.validate', { token: old.token })).toMatchObject({ valid: false, reason: 'expired' });
    expect((await h.bus.request('token.getApiToken', { businessId: acme, tokenId: old.tokenInfo.id })).tokenInfo.status).toBe('expired');
    expect((await h.bus.request('token.validate', { token: rotated.token })).valid).toBe(true);
  });

  it('grace 0 revokes the old token at once; a developer cannot rotate an admin-scoped token', async () => {
    const h = await setup();
    const old = await h.create();
    const rotated = await h.bus.request('token.rotateApiToken', {
      businessId: acme,
      tokenId: old.tokenInfo.id,
      rotatedBy: alice,
      rotatorRole: 'owner',
      gracePeriodSeconds: 0,
    });
    expect(rotated.previous.status).toBe('revoked');
    expect(await h.bus.request('token.validate', { token: old.token })).toMatchObject({ valid: false, reason: 'revoked' });
    const forbidden = await failure(
      h.bus.request('token.rotateApiToken', { businessId: acme, tokenId: rotated.tokenInfo.id, rotatedBy: alice, rotatorRole: 'developer', gracePeriodSeconds: 10 }),
    );
    expect([forbidden.code, forbidden.details?.['reason']]).toEqual(['FORBIDDEN', 'insufficient_role']);
    const foreign = await failure(
      h.bus.request('token.rotateApiToken', { businessId: globex, tokenId: rotated.tokenInfo.id, rotatedBy: alice, rotatorRole: 'owner', gracePeriodSeconds: 10 }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
  });
});

describe('keys and activity', () => {
  it('token.keys lists kids only; announces them on start', async () => {
    const h = await setup();
    const reply = await h.bus.request('token.keys', {});
    expect(reply).toEqual({ kids: ['k1', 'k2'], activeKid: 'k1' });
    expect(JSON.stringify(reply)).not.toMatch(/secret/);
  });

  it('stores usage.recorded events once and answers activity per token, merged across edges', async () => {
    const h = await setup();
    const t = await h.create();
    const entry = { businessId: acme, tokenId: t.tokenInfo.id, minute: '2030-06-01T12:00:00.000Z', method: 'GET', route: '/api/v1/Orders', status: 200, ip: '10.0.0.1', count: 2 };
    await h.bus.publish('usage.recorded', { source: 'edge-a', entries: [entry, { ...entry, status: 401, count: 1 }] });
    const second = await h.bus.publish('usage.recorded', { source: 'edge-b', entries: [{ ...entry, count: 3 }] });
    await h.bus.publish('usage.recorded', { source: 'edge-b', entries: [{ ...entry, count: 3 }] }, { id: second.id }); // redelivery
    const range = { businessId: acme, tokenId: t.tokenInfo.id, from: '2030-06-01T11:00:00.000Z', to: '2030-06-01T13:00:00.000Z' };
    await vi.waitFor(async () => expect((await h.bus.request('token.tokenActivity', range)).totalCalls).toBe(6));
    const activity = await h.bus.request('token.tokenActivity', range);
    expect(activity.buckets.map((b) => [b.status, b.count])).toEqual([
      [200, 5],
      [401, 1],
    ]);
    expect((await failure(h.bus.request('token.tokenActivity', { ...range, businessId: globex }))).code).toBe('NOT_FOUND');
    expect((await failure(h.bus.request('token.tokenActivity', { ...range, from: range.to }))).code).toBe('VALIDATION_ERROR');
  });
});
