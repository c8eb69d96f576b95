import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { DispatchError, type PlanName } from '@dispatch/contracts';
import { createLogger, newId } from '@dispatch/runtime';
import { createKeyring, generateSigningKey } from './keys/keyring.js';
import { createTokenService, type TokenService } from './service.js';
import { resolvePlanQuotas, type TokenServiceConfig } from './config.js';
import { MemoryApiTokenRepository } from './store/memory-api-token-repository.js';
import { MemorySessionRepository } from './store/memory-session-repository.js';
import { MemoryActivityRepository } from './store/memory-activity-repository.js';
import { MemoryAuditRepository } from './store/memory-audit-repository.js';
import { addCalls } from './use-cases/token-usage.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });
const alice = newId('usr');
const acme = newId('biz');
const globex = newId('biz');

const running: TokenService[] = [];
const buses: MemoryBus[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
  for (const b of buses.splice(0)) await b.drain();
});

async function setup(config: Partial<TokenServiceConfig> = {}, instances = 1) {
  const hub = new MemoryHub();
  const apiTokens = new MemoryApiTokenRepository();
  const activity = new MemoryActivityRepository();
  const audit = new MemoryAuditRepository();
  const keyring = createKeyring([generateSigningKey('k1')]);
  for (let i = 0; i < instances; i++) {
    const bus = new MemoryBus(hub, 'quota', logger);
    const service = createTokenService({
      bus,
      logger,
      apiTokens,
      sessions: new MemorySessionRepository(),
      activity,
      audit,
      keyring,
      usageConsumer: `token-usage-${i}`,
      config: { instance: `token-${i}`, ...config },
    });
    await service.start();
    running.push(service);
    buses.push(bus);
  }
  const bus = new MemoryBus(hub, 'quota', logger);
  buses.push(bus);
  const broadcasts: unknown[] = [];
  bus.onBroadcast('token.invalidated', (data) => broadcasts.push(data));
  return { bus, apiTokens, activity, broadcasts };
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

const create = (bus: MemoryBus, extra: Record<string, unknown> = {}, businessId = acme) =>
  bus.request('token.createApiToken', { businessId, createdBy: alice, creatorRole: 'owner', description: 'quota test', ...extra });

describe('plans and per-token quotas', () => {
  it('every token gets its business plan default; BUSINESS_PLANS names other plans', async () => {
    const plans = new Map<string, PlanName>([[globex, 'pro']]);
    const h = await setup({ businessPlans: plans });
    const a = await create(h.bus);
    const g = await create(h.bus, {}, globex);
    expect(a.tokenInfo.rateLimit).toEqual({ limit: 1000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'free' });
    expect(g.tokenInfo.rateLimit).toEqual({ limit: 10000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'pro' });
    const v = await h.bus.request('token.validate', { token: g.token });
    expect(v.valid && v.principal.kind === 'api' ? v.principal.rateLimit : undefined).toEqual({ enforce: { limit: 10000, windowSeconds: 3600 } });
  });

  it('RATE_LIMIT_DEFAULT_LIMIT/WINDOW redefine the default plan only', () => {
    const quotas = resolvePlanQuotas('free', 100, 60);
    expect(quotas.free).toEqual({ limit: 100, windowSeconds: 60 });
    expect(quotas.pro).toEqual({ limit: 10000, windowSeconds: 3600 });
    expect(resolvePlanQuotas('pro', undefined, 60).pro).toEqual({ limit: 10000, windowSeconds: 60 });
  });

  it('an override at creation is the token’s own quota, carried by validate; shadow keeps the plan enforced', async () => {
    const h = await setup();
    const own = await create(h.bus, { rateLimit: { limit: 10, windowSeconds: 60 } });
    const shadow = await create(h.bus, { rateLimit: { limit: 3, windowSeconds: 60, mode: 'shadow' } });
    expect(own.tokenInfo.rateLimit).toEqual({ limit: 10, windowSeconds: 60, mode: 'enforce', source: 'token', plan: 'free' });
    const v1 = await h.bus.request('token.validate', { token: own.token });
    const v2 = await h.bus.request('token.validate', { token: shadow.token });
    expect(v1.valid && v1.principal.kind === 'api' ? v1.principal.rateLimit : undefined).toEqual({ enforce: { limit: 10, windowSeconds: 60 } });
    expect(v2.valid && v2.principal.kind === 'api' ? v2.principal.rateLimit : undefined).toEqual({
      enforce: { limit: 1000, windowSeconds: 3600 },
      shadow: { limit: 3, windowSeconds: 60 },
    });
  });

  it('refuses an override above the plan rate (403 plan_feature_missing), whatever the window, and from a developer (403 insufficient_role)', async () => {
    const h = await setup();
    const tooMuch = await dispatchError(create(h.bus, { rateLimit: { limit: 1001, windowSeconds: 3600 } }));
    expect([tooMuch.code, tooMuch.details]).toEqual(['FORBIDDEN', { reason: 'plan_feature_missing', plan: 'free', planLimit: 1000, planWindowSeconds: 3600 }]);
    // 1 per second is 3600 per hour: above the free plan's average rate.
    expect((await dispatchError(create(h.bus, { rateLimit: { limit: 1, windowSeconds: 1 } }))).details?.['reason']).toBe('plan_feature_missing');
    // Exactly the plan's rate over another window is fine.
    expect((await create(h.bus, { rateLimit: { limit: 250, windowSeconds: 900 } })).tokenInfo.rateLimit.limit).toBe(250);
    const dev = await dispatchError(create(h.bus, { creatorRole: 'developer', rateLimit: { limit: 10, windowSeconds: 60 } }));
    expect([dev.code, dev.details?.['reason']]).toEqual(['FORBIDDEN', 'insufficient_role']);
    // A developer without an override still creates tokens (plan default).
    expect((await create(h.bus, { creatorRole: 'developer' })).tokenInfo.rateLimit.source).toBe('plan');
  });

  it('a change is stored, broadcast as an invalidation before the reply, and seen by validate on every instance', async () => {
    const h = await setup({}, 2);
    const t = await create(h.bus);
    // Both instances cache the token (round-robin over the queue group).
    for (let i = 0; i < 4; i++) await h.bus.request('token.validate', { token: t.token });
    const updated = await h.bus.request('token.updateApiToken', {
      businessId: acme,
      tokenId: t.tokenInfo.id,
      updatedBy: alice,
      updaterRole: 'admin',
      rateLimit: { limit: 5, windowSeconds: 60, mode: 'enforce' },
    });
    expect(updated.tokenInfo.rateLimit).toEqual({ limit: 5, windowSeconds: 60, mode: 'enforce', source: 'token', plan: 'free' });
    expect(h.broadcasts).toContainEqual({ tokenId: t.tokenInfo.id });
    for (let i = 0; i < 4; i++) {
      const v = await h.bus.request('token.validate', { token: t.token });
      expect(v.valid && v.principal.kind === 'api' ? v.principal.rateLimit : undefined).toEqual({ enforce: { limit: 5, windowSeconds: 60 } });
    }
    // null: back to the plan default.
    const reset = await h.bus.request('token.updateApiToken', { businessId: acme, tokenId: t.tokenInfo.id, updatedBy: alice, updaterRole: 'owner', rateLimit: null });
    expect(reset.tokenInfo.rateLimit.source).toBe('plan');
    const got = await h.bus.request('token.getApiToken', { businessId: acme, tokenId: t.tokenInfo.id });
    expect(got.tokenInfo.rateLimit).toEqual({ limit: 1000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'free' });
    const audit = await h.bus.request('token.listAudit', { businessId: acme, tokenId: t.tokenInfo.id, limit: 10 });
    expect(audit.records.filter((r) => r.action === 'token.rate_limit_changed')).toHaveLength(2);
  });

  it('a PATCH that changes nothing records nothing (no audit entry), and still invalidates the caches', async () => {
    const h = await setup({}, 2);
    const t = await create(h.bus);
    const patch = (rateLimit: { limit: number; windowSeconds: number; mode: 'enforce' | 'shadow' } | null) =>
      h.bus.request('token.updateApiToken', { businessId: acme, tokenId: t.tokenInfo.id, updatedBy: alice, updaterRole: 'owner', rateLimit });
    await patch(null);
    await patch({ limit: 5, windowSeconds: 60, mode: 'enforce' });
    const before = h.broadcasts.length;
    const same = await patch({ limit: 5, windowSeconds: 60, mode: 'enforce' });
    expect(same.tokenInfo.rateLimit).toEqual({ limit: 5, windowSeconds: 60, mode: 'enforce', source: 'token', plan: 'free' });
    expect(h.broadcasts.length).toBeGreaterThan(before);
    await patch({ limit: 5, windowSeconds: 60, mode: 'shadow' });
    const audit = await h.bus.request('token.listAudit', { businessId: acme, tokenId: t.tokenInfo.id, limit: 10 });
    // (Both changes carry the harness's one clock reading, so their order in the list is not fixed.)
    const changes = audit.records.filter((r) => r.action === 'token.rate_limit_changed').map((r) => r.details);
    expect(changes).toHaveLength(2);
    expect(changes).toEqual(
      expect.arrayContaining([
        { from: null, to: { limit: 5, windowSeconds: 60, mode: 'enforce' } },
        { from: { limit: 5, windowSeconds: 60, mode: 'enforce' }, to: { limit: 5, windowSeconds: 60, mode: 'shadow' } },
      ]),
    );
  });

  it('a rotated token keeps the quota; changes of another business token or by a developer are refused', async () => {
    const h = await setup();
    const t = await create(h.bus, { rateLimit: { limit: 7, windowSeconds: 60, mode: 'shadow' } });
    const rotated = await h.bus.request('token.rotateApiToken', { businessId: acme, tokenId: t.tokenInfo.id, rotatedBy: alice, rotatorRole: 'owner', gracePeriodSeconds: 0 });
    expect(rotated.tokenInfo.rateLimit).toMatchObject({ limit: 7, windowSeconds: 60, mode: 'shadow', source: 'token' });
    const other = await dispatchError(
      h.bus.request('token.updateApiToken', { businessId: globex, tokenId: t.tokenInfo.id, updatedBy: alice, updaterRole: 'owner', rateLimit: null }),
    );
    expect(other.code).toBe('NOT_FOUND');
    const dev = await dispatchError(
      h.bus.request('token.updateApiToken', { businessId: acme, tokenId: t.tokenInfo.id, updatedBy: alice, updaterRole: 'developer', rateLimit: null }),
    );
    expect([dev.code, dev.details?.['reason']]).toEqual(['FORBIDDEN', 'insufficient_role']);
    const over = await dispatchError(
      h.bus.request('token.updateApiToken', {
        businessId: acme,
        tokenId: t.tokenInfo.id,
        updatedBy: alice,
        updaterRole: 'owner',
        rateLimit: { limit: 2000, windowSeconds: 3600, mode: 'shadow' },
      }),
    );
    expect(over.details?.['reason']).toBe('plan_feature_missing');
  });
});

describe('usage by status class', () => {
  it('classes: 2xx, 3xx, 4xx without 429, 429, 5xx', () => {
    const c = { total: 0, '2xx': 0, '3xx': 0, '4xx': 0, '429': 0, '5xx': 0 };
    for (const [status, n] of [[200, 2], [204, 1], [301, 1], [403, 3], [429, 4], [404, 1], [503, 2]] as const) addCalls(c, status, n);
    expect(c).toEqual({ total: 14, '2xx': 3, '3xx': 1, '4xx': 4, '429': 4, '5xx': 2 });
  });

  it('buckets per minute/hour/day from the recorded usage, every bucket listed; range and ownership checked', async () => {
    const h = await setup();
    const t = await create(h.bus);
    const entry = (minute: string, status: number, count: number) => ({
      id: newId('evt') + ':0',
      businessId: acme,
      tokenId: t.tokenInfo.id,
      minute: new Date(minute),
      method: 'GET',
      route: '/api/v1/Orders',
      status,
      ip: '10.0.0.1',
      count,
    });
    await h.activity.insert([
      entry('2030-01-01T10:00:00.000Z', 200, 5),
      entry('2030-01-01T10:00:00.000Z', 429, 2),
      entry('2030-01-01T10:01:00.000Z', 403, 1),
      entry('2030-01-01T11:59:00.000Z', 500, 1),
      entry('2030-01-02T00:00:00.000Z', 200, 9),
    ]);
    const hourly = await h.bus.request('token.tokenUsage', {
      businessId: acme,
      tokenId: t.tokenInfo.id,
      granularity: 'hour',
      from: '2030-01-01T10:30:00.000Z',
      to: '2030-01-01T11:30:00.000Z',
    });
    expect([hourly.from, hourly.to]).toEqual(['2030-01-01T10:00:00.000Z', '2030-01-01T12:00:00.000Z']);
    expect(hourly.buckets).toEqual([
      { start: '2030-01-01T10:00:00.000Z', total: 8, '2xx': 5, '3xx': 0, '4xx': 1, '429': 2, '5xx': 0 },
      { start: '2030-01-01T11:00:00.000Z', total: 1, '2xx': 0, '3xx': 0, '4xx': 0, '429': 0, '5xx': 1 },
    ]);
    expect(hourly.totals).toEqual({ total: 9, '2xx': 5, '3xx': 0, '4xx': 1, '429': 2, '5xx': 1 });
    const daily = await h.bus.request('token.tokenUsage', {
      businessId: acme,
      tokenId: t.tokenInfo.id,
      granularity: 'day',
      from: '2030-01-01T00:00:00.000Z',
      to: '2030-01-03T00:00:00.000Z',
    });
    expect(daily.buckets.map((b) => [b.start, b.total])).toEqual([
      ['2030-01-01T00:00:00.000Z', 9],
      ['2030-01-02T00:00:00.000Z', 9],
    ]);
    const minutes = await h.bus.request('token.tokenUsage', {
      businessId: acme,
      tokenId: t.tokenInfo.id,
      granularity: 'minute',
      from: '2030-01-01T10:00:00.000Z',
      to: '2030-01-01T10:03:00.000Z',
    });
    expect(minutes.buckets.map((b) => b.total)).toEqual([7, 1, 0]);

    const tooLong = await dispatchError(
      h.bus.request('token.tokenUsage', { businessId: acme, tokenId: t.tokenInfo.id, granularity: 'minute', from: '2030-01-01T00:00:00.000Z', to: '2030-01-02T00:01:00.000Z' }),
    );
    expect([tooLong.code, Object.keys((tooLong.details?.['fields'] as object) ?? {})]).toEqual(['VALIDATION_ERROR', ['from']]);
    const reversed = await dispatchError(
      h.bus.request('token.tokenUsage', { businessId: acme, tokenId: t.tokenInfo.id, granularity: 'hour', from: '2030-01-02T00:00:00.000Z', to: '2030-01-01T00:00:00.000Z' }),
    );
    expect(reversed.code).toBe('VALIDATION_ERROR');
    const foreign = await dispatchError(
      h.bus.request('token.tokenUsage', { businessId: globex, tokenId: t.tokenInfo.id, granularity: 'hour', from: '2030-01-01T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z' }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
  });
});
