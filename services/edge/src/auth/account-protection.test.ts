import { describe, expect, it } from 'vitest';
import type { ConsumeRequest, RateLimitDecision } from '@dispatch/contracts';
import { accountKey, backoffTiers, reserve, resolveAccountProtection, type Consume, type Family } from './account-protection.js';

/** The ratelimit service's fixed-window rule (epoch-aligned; only allowed units count), on a test clock. */
function fakeLimiter(startSeconds: number) {
  const clock = { now: startSeconds };
  const counters = new Map<string, number>();
  const consume: Consume = async (req: ConsumeRequest) => {
    const cost = req.cost ?? 1;
    const windowStart = Math.floor(clock.now / req.windowSeconds) * req.windowSeconds;
    const resetAt = windowStart + req.windowSeconds;
    const key = `${req.key}@${windowStart}`;
    const used = counters.get(key) ?? 0;
    if (used + cost <= req.limit) {
      counters.set(key, used + cost);
      return { allowed: true, limit: req.limit, remaining: req.limit - used - cost, resetAt, retryAfterSeconds: 0 } satisfies RateLimitDecision;
    }
    return { allowed: false, limit: req.limit, remaining: Math.max(0, req.limit - used), resetAt, retryAfterSeconds: Math.max(1, Math.ceil(resetAt - clock.now)) };
  };
  return { clock, consume, counters };
}

/** An epoch second that starts a window of every tier below (2^10 · 900 divides it). */
const ALIGNED = 900 * 1024 * 2000;

describe('backoffTiers', () => {
  it('doubles the window and adds `increment` failures per step', () => {
    expect(backoffTiers(5, 900, 6, 1)).toEqual([
      { windowSeconds: 900, limit: 5 },
      { windowSeconds: 1800, limit: 6 },
      { windowSeconds: 3600, limit: 7 },
      { windowSeconds: 7200, limit: 8 },
      { windowSeconds: 14400, limit: 9 },
      { windowSeconds: 28800, limit: 10 },
      { windowSeconds: 57600, limit: 11 },
    ]);
    expect(backoffTiers(20, 900, 2, 10)).toEqual([
      { windowSeconds: 900, limit: 20 },
      { windowSeconds: 1800, limit: 30 },
      { windowSeconds: 3600, limit: 40 },
    ]);
  });
});

describe('reserve (failed-attempt counting on fixed windows)', () => {
  const family = (tiers = backoffTiers(5, 900, 3, 1)): Family => ({ key: 'login:acct:x', tiers });

  it('allows 5 failures, then refuses with Retry-After = seconds to the end of the 15-minute window', async () => {
    const rl = fakeLimiter(ALIGNED + 100);
    for (let i = 0; i < 5; i++) expect((await reserve(rl.consume, [family()])).allowed).toBe(true);
    expect(await reserve(rl.consume, [family()])).toEqual({ allowed: false, retryAfterSeconds: 800 });
  });

  it('grows the wait: after the first lock each further failure costs a window twice as long', async () => {
    const rl = fakeLimiter(ALIGNED);
    const failures = async (n: number) => {
      for (let i = 0; i < n; i++) expect((await reserve(rl.consume, [family()])).allowed).toBe(true);
    };
    await failures(5);
    expect(await reserve(rl.consume, [family()])).toEqual({ allowed: false, retryAfterSeconds: 900 });
    rl.clock.now = ALIGNED + 900; // the 15-min window is over: one more try (6 per 30 min)
    await failures(1);
    expect(await reserve(rl.consume, [family()])).toEqual({ allowed: false, retryAfterSeconds: 900 });
    rl.clock.now = ALIGNED + 1800; // one more (7 per hour), then wait for the hour
    await failures(1);
    expect(await reserve(rl.consume, [family()])).toEqual({ allowed: false, retryAfterSeconds: 1800 });
    rl.clock.now = ALIGNED + 3600; // one more (8 per 2 h), then wait for the 2 h window
    await failures(1);
    expect(await reserve(rl.consume, [family()])).toEqual({ allowed: false, retryAfterSeconds: 3600 });
    rl.clock.now = ALIGNED + 7200; // every window is new: the allowance is back
    await failures(5);
    expect((await reserve(rl.consume, [family()])).allowed).toBe(false);
  });

  it('does not count attempts that were given back (successes), nor refused ones', async () => {
    const rl = fakeLimiter(ALIGNED);
    for (let i = 0; i < 20; i++) {
      const r = await reserve(rl.consume, [family()]);
      if (!r.allowed) throw new Error('refused a successful login');
      await r.attempt.release();
    }
    for (let i = 0; i < 5; i++) expect((await reserve(rl.consume, [family()])).allowed).toBe(true);
    for (let i = 0; i < 10; i++) expect((await reserve(rl.consume, [family()])).allowed).toBe(false);
    rl.clock.now = ALIGNED + 900;
    // Ten refusals in the first window did not use the 30-minute allowance: exactly one try is left.
    expect((await reserve(rl.consume, [family()])).allowed).toBe(true);
    expect((await reserve(rl.consume, [family()])).allowed).toBe(false);
  });

  it('lets exactly 5 of 50 concurrent guesses through', async () => {
    const rl = fakeLimiter(ALIGNED);
    const results = await Promise.all(Array.from({ length: 50 }, () => reserve(rl.consume, [family()])));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('needs room in every family; a refusal gives back what the other families took', async () => {
    const rl = fakeLimiter(ALIGNED);
    const ip: Family = { key: 'login:ip:1.2.3.4', tiers: [{ windowSeconds: 900, limit: 2 }] };
    const acct = (n: number): Family => ({ key: `login:acct:${n}`, tiers: [{ windowSeconds: 900, limit: 5 }] });
    expect((await reserve(rl.consume, [acct(1), ip])).allowed).toBe(true);
    expect((await reserve(rl.consume, [acct(2), ip])).allowed).toBe(true);
    expect(await reserve(rl.consume, [acct(3), ip])).toEqual({ allowed: false, retryAfterSeconds: 900 });
    // Account 3's unit went back: with a fresh IP it still has all 5.
    const otherIp: Family = { key: 'login:ip:5.6.7.8', tiers: [{ windowSeconds: 900, limit: 100 }] };
    for (let i = 0; i < 5; i++) expect((await reserve(rl.consume, [acct(3), otherIp])).allowed).toBe(true);
    expect((await reserve(rl.consume, [acct(3), otherIp])).allowed).toBe(false);
  });
});

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(resolveAccountProtection()).toEqual({
      loginMaxFailures: 5,
      loginWindowSeconds: 900,
      loginBackoffSteps: 6,
      loginIpMaxFailures: 20,
      trustedClientSeconds: 2_592_000,
      tokenAttemptLimit: 5,
      tokenAttemptWindowSeconds: 900,
      emailRequestLimit: 3,
      emailRequestWindowSeconds: 3600,
    });
  });

  it('refuses a longest window above 31 days', () => {
    expect(() => resolveAccountProtection({ loginWindowSeconds: 86_400, loginBackoffSteps: 5 })).toThrow(/at most 2678400/);
    expect(resolveAccountProtection({ loginWindowSeconds: 86_400, loginBackoffSteps: 4 }).loginBackoffSteps).toBe(4);
  });

  it('keys accounts by a digest of the address, never the address', () => {
    expect(accountKey('ada@example.com')).toMatch(/^[0-9a-f]{32}$/);
    expect(accountKey('ada@example.com')).toBe(accountKey('ada@example.com'));
    expect(accountKey('ada@example.com')).not.toBe(accountKey('bob@example.com'));
  });
});
