import { describe, expect, it } from 'vitest';
import {
  ApiPrincipal,
  CreateTokenBody,
  PlanName,
  RateLimitOverride,
  TokenUsageReply,
  UpdateTokenBody,
  UsageQuery,
  effectiveRateLimit,
  exceedsPlan,
  planQuotas,
  principalRateLimit,
  validationDetails,
} from './index.js';

const fields = (result: { success: boolean; error?: { issues: unknown[] } }) => {
  expect(result.success).toBe(false);
  return Object.keys((validationDetails((result.error?.issues ?? []) as Parameters<typeof validationDetails>[0]) as { fields: object }).fields);
};

describe('plan table', () => {
  it('documents free, pro and enterprise, hourly, ten times apart', () => {
    expect(PlanName.options).toEqual(['free', 'pro', 'enterprise']);
    expect(planQuotas).toEqual({
      free: { limit: 1000, windowSeconds: 3600 },
      pro: { limit: 10_000, windowSeconds: 3600 },
      enterprise: { limit: 100_000, windowSeconds: 3600 },
    });
  });

  it('an override may not exceed the plan’s average rate, over any window (exact integer comparison)', () => {
    const free = planQuotas.free;
    expect(exceedsPlan({ limit: 1000, windowSeconds: 3600 }, free)).toBe(false);
    expect(exceedsPlan({ limit: 1001, windowSeconds: 3600 }, free)).toBe(true);
    expect(exceedsPlan({ limit: 250, windowSeconds: 900 }, free)).toBe(false);
    expect(exceedsPlan({ limit: 251, windowSeconds: 900 }, free)).toBe(true);
    expect(exceedsPlan({ limit: 1, windowSeconds: 1 }, free)).toBe(true);
    expect(exceedsPlan({ limit: 24_000, windowSeconds: 86_400 }, free)).toBe(false);
    expect(exceedsPlan({ limit: 3, windowSeconds: 1 }, planQuotas.enterprise)).toBe(false);
  });

  it('effective quota: the override, else the plan default; shadow keeps the plan enforced', () => {
    expect(effectiveRateLimit(null, 'pro')).toEqual({ limit: 10_000, windowSeconds: 3600, mode: 'enforce', source: 'plan', plan: 'pro' });
    const shadow = effectiveRateLimit({ limit: 3, windowSeconds: 60, mode: 'shadow' }, 'free');
    expect(shadow).toEqual({ limit: 3, windowSeconds: 60, mode: 'shadow', source: 'token', plan: 'free' });
    expect(principalRateLimit(shadow, planQuotas.free)).toEqual({ enforce: { limit: 1000, windowSeconds: 3600 }, shadow: { limit: 3, windowSeconds: 60 } });
    expect(principalRateLimit(effectiveRateLimit({ limit: 3, windowSeconds: 60, mode: 'enforce' }, 'free'), planQuotas.free)).toEqual({
      enforce: { limit: 3, windowSeconds: 60 },
    });
  });

  it('an API principal without a quota (older token service) still parses', () => {
    expect(ApiPrincipal.safeParse({ kind: 'api', businessId: `biz_${'a'.repeat(26)}`, tokenId: `tok_${'b'.repeat(26)}`, scopes: ['*'] }).success).toBe(true);
  });
});

describe('RateLimitOverride, CreateTokenBody.rateLimit and UpdateTokenBody', () => {
  it('accepts whole numbers in range; mode defaults to enforce', () => {
    expect(RateLimitOverride.parse({ limit: 1, windowSeconds: 86_400 })).toEqual({ limit: 1, windowSeconds: 86_400, mode: 'enforce' });
    expect(CreateTokenBody.parse({ description: 'x', rateLimit: { limit: 5, windowSeconds: 60, mode: 'shadow' } }).rateLimit).toEqual({
      limit: 5,
      windowSeconds: 60,
      mode: 'shadow',
    });
    expect(UpdateTokenBody.parse({ rateLimit: null })).toEqual({ rateLimit: null });
  });

  it.each([
    [{ limit: 0, windowSeconds: 60 }, 'rateLimit.limit'],
    [{ limit: -1, windowSeconds: 60 }, 'rateLimit.limit'],
    [{ limit: 2.5, windowSeconds: 60 }, 'rateLimit.limit'],
    [{ limit: 1_000_000_001, windowSeconds: 60 }, 'rateLimit.limit'],
    [{ limit: 5, windowSeconds: 0 }, 'rateLimit.windowSeconds'],
    [{ limit: 5, windowSeconds: 86_401 }, 'rateLimit.windowSeconds'],
    [{ limit: 5 }, 'rateLimit.windowSeconds'],
    [{ limit: 5, windowSeconds: 60, mode: 'log' }, 'rateLimit.mode'],
    [{ limit: 5, windowSeconds: 60, extra: true }, 'rateLimit.extra'],
  ])('rejects %j (%s)', (rateLimit, field) => {
    expect(fields(UpdateTokenBody.safeParse({ rateLimit }))).toContain(field);
    expect(fields(CreateTokenBody.safeParse({ description: 'x', rateLimit }))).toContain(field);
  });

  it('PATCH needs rateLimit and nothing else', () => {
    expect(fields(UpdateTokenBody.safeParse({}))).toContain('rateLimit');
    expect(fields(UpdateTokenBody.safeParse({ rateLimit: null, scopes: ['*'] }))).toContain('scopes');
  });
});

describe('UsageQuery and TokenUsageReply', () => {
  it('defaults to hourly; granularity and dates are checked; unknown parameters refused', () => {
    expect(UsageQuery.parse({})).toEqual({ granularity: 'hour' });
    expect(UsageQuery.parse({ granularity: 'minute', from: '2030-01-01T00:00:00Z' })).toEqual({ granularity: 'minute', from: '2030-01-01T00:00:00Z' });
    expect(fields(UsageQuery.safeParse({ granularity: 'week' }))).toEqual(['granularity']);
    expect(fields(UsageQuery.safeParse({ to: 'tomorrow' }))).toEqual(['to']);
    expect(fields(UsageQuery.safeParse({ limit: '5' }))).toEqual(['limit']);
  });

  it('a reply has totals and buckets with every status class', () => {
    const counts = { total: 3, '2xx': 1, '3xx': 0, '4xx': 1, '429': 1, '5xx': 0 };
    const reply = { tokenId: `tok_${'c'.repeat(26)}`, granularity: 'day', from: 'a', to: 'b', totals: counts, buckets: [{ start: 'a', ...counts }] };
    expect(TokenUsageReply.parse(reply)).toEqual(reply);
    expect(TokenUsageReply.safeParse({ ...reply, totals: { total: 3 } }).success).toBe(false);
  });
});
