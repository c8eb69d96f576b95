import { createHash } from 'node:crypto';
import { COUNT_ONLY_LIMIT, DispatchError, rateLimitHeaders, usedOf, type ConsumeRequest, type RateLimitDecision } from '@dispatch/contracts';
import { z } from 'zod';
import type { EdgeContext, EdgeDeps } from '../http/context.js';
import { clientIp as clientAddress } from './client-ip.js';

/**
 * Brute-force protection of the account endpoints, built on `ratelimit.consume` (fixed windows
 * aligned to the epoch, shared by every edge instance through the ratelimit service).
 *
 * Failed logins — the exact policy (README "Account protection"):
 * - Failures are counted per account (normalised email, known or not) and per client IP, each in
 *   tiers k = 0..steps of epoch-aligned windows of `windowSeconds·2^k`. Tier k allows
 *   `maxFailures + k` failures per account (`ipMaxFailures + k·⌈ipMaxFailures/2⌉` per IP).
 *   With the defaults (5 failures, 15 min, 6 steps) that is 5 per 15 min, 6 per 30 min, 7 per
 *   hour … 11 per 16 h: after the first 5, each further try waits for a window twice as long —
 *   exponential backoff, never a lock that does not end by itself.
 * - When any tier is full the attempt is refused before the password is checked: 429
 *   RATE_LIMITED with Retry-After (seconds until the blocking window ends). Refused attempts and
 *   successful ones do not count.
 * - A client IP from which the account signed in successfully (or reset its password) within the
 *   current trust window is trusted for that account: its attempts are counted per account+IP
 *   instead of per account, so an attacker elsewhere cannot keep the real user out.
 *
 * Counting is race-free: each attempt reserves a unit atomically before the password is checked
 * (`attempts` counter, limit = tier limit + attempts given back so far) and gives it back
 * (`:ok` counter) unless it failed. So concurrent guesses cannot overshoot a limit.
 */
export interface AccountProtectionConfig {
  loginMaxFailures: number;
  loginWindowSeconds: number;
  loginBackoffSteps: number;
  loginIpMaxFailures: number;
  trustedClientSeconds: number;
  /** Wrong verification, invite and reset tokens per client IP and window. */
  tokenAttemptLimit: number;
  tokenAttemptWindowSeconds: number;
  /** Verification re-sends and reset emails per address and window (each kind its own quota). */
  emailRequestLimit: number;
  emailRequestWindowSeconds: number;
}

export const defaultAccountProtection: AccountProtectionConfig = {
  loginMaxFailures: 5,
  loginWindowSeconds: 900,
  loginBackoffSteps: 6,
  loginIpMaxFailures: 20,
  trustedClientSeconds: 30 * 24 * 3600,
  tokenAttemptLimit: 5,
  tokenAttemptWindowSeconds: 900,
  emailRequestLimit: 3,
  emailRequestWindowSeconds: 3600,
};

/** The longest window the ratelimit service accepts. */
export const MAX_WINDOW_SECONDS = 31 * 24 * 3600;

const intEnv = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** The edge's environment for this policy (the same names in the embedded default). */
export const accountProtectionEnvShape = {
  LOGIN_MAX_FAILURES: intEnv(defaultAccountProtection.loginMaxFailures, 1, 1000),
  LOGIN_FAILURE_WINDOW_SECONDS: intEnv(defaultAccountProtection.loginWindowSeconds, 1, 24 * 3600),
  LOGIN_BACKOFF_STEPS: intEnv(defaultAccountProtection.loginBackoffSteps, 0, 16),
  LOGIN_IP_MAX_FAILURES: intEnv(defaultAccountProtection.loginIpMaxFailures, 1, 100_000),
  LOGIN_TRUSTED_CLIENT_DAYS: intEnv(30, 1, 31),
  TOKEN_ATTEMPT_LIMIT: intEnv(defaultAccountProtection.tokenAttemptLimit, 1, 10_000),
  TOKEN_ATTEMPT_WINDOW_SECONDS: intEnv(defaultAccountProtection.tokenAttemptWindowSeconds, 1, MAX_WINDOW_SECONDS),
  EMAIL_REQUEST_LIMIT: intEnv(defaultAccountProtection.emailRequestLimit, 1, 10_000),
  EMAIL_REQUEST_WINDOW_SECONDS: intEnv(defaultAccountProtection.emailRequestWindowSeconds, 1, MAX_WINDOW_SECONDS),
};

type AccountProtectionEnv = { [K in keyof typeof accountProtectionEnvShape]: z.output<(typeof accountProtectionEnvShape)[K]> };

export const accountProtectionFromEnv = (e: AccountProtectionEnv): AccountProtectionConfig => ({
  loginMaxFailures: e.LOGIN_MAX_FAILURES,
  loginWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
  loginBackoffSteps: e.LOGIN_BACKOFF_STEPS,
  loginIpMaxFailures: e.LOGIN_IP_MAX_FAILURES,
  trustedClientSeconds: e.LOGIN_TRUSTED_CLIENT_DAYS * 24 * 3600,
  tokenAttemptLimit: e.TOKEN_ATTEMPT_LIMIT,
  tokenAttemptWindowSeconds: e.TOKEN_ATTEMPT_WINDOW_SECONDS,
  emailRequestLimit: e.EMAIL_REQUEST_LIMIT,
  emailRequestWindowSeconds: e.EMAIL_REQUEST_WINDOW_SECONDS,
});

/** Fills in the defaults and checks that the longest backoff window fits the ratelimit service. */
export function resolveAccountProtection(input: Partial<AccountProtectionConfig> = {}): AccountProtectionConfig {
  const config = { ...defaultAccountProtection, ...input };
  const longest = config.loginWindowSeconds * 2 ** config.loginBackoffSteps;
  if (longest > MAX_WINDOW_SECONDS) {
    throw new Error(`LOGIN_FAILURE_WINDOW_SECONDS·2^LOGIN_BACKOFF_STEPS is ${longest} s; at most ${MAX_WINDOW_SECONDS} (31 days)`);
  }
  return config;
}

/** One counted window: at most `limit` failures per `windowSeconds`. */
export interface Tier {
  windowSeconds: number;
  limit: number;
}

/** Tier k: a window of `windowSeconds·2^k` allowing `maxFailures + k·increment` failures. */
export function backoffTiers(maxFailures: number, windowSeconds: number, steps: number, increment: number): Tier[] {
  return Array.from({ length: steps + 1 }, (_, k) => ({ windowSeconds: windowSeconds * 2 ** k, limit: maxFailures + k * increment }));
}

/** A counter family: one key, counted in every tier. */
export interface Family {
  key: string;
  tiers: Tier[];
}

/** An attempt that holds a unit of every tier until it is known whether it failed. */
export interface Attempt {
  /** Not a failure (success, or an error that says nothing about the secret): give the units back. */
  release(): Promise<void>;
}

export type Consume = (request: ConsumeRequest) => Promise<RateLimitDecision>;


export type ReserveResult = { allowed: true; attempt: Attempt } | { allowed: false; retryAfterSeconds: number };

/** Reserves one unit in every tier of every family, or none (see the policy above). */
export async function reserve(consume: Consume, families: Family[]): Promise<ReserveResult> {
  const slots = families.flatMap((f) =>
    f.tiers.map((t) => ({ attempts: `${f.key}:w${t.windowSeconds}`, returned: `${f.key}:w${t.windowSeconds}:ok`, tier: t })),
  );
  const returned = await Promise.all(slots.map((s) => consume({ key: s.returned, limit: COUNT_ONLY_LIMIT, windowSeconds: s.tier.windowSeconds, cost: 0 })));
  const decisions = await Promise.all(
    slots.map((s, i) => {
      const back = returned[i];
      return consume({ key: s.attempts, limit: s.tier.limit + (back ? usedOf(back) : 0), windowSeconds: s.tier.windowSeconds, cost: 1 });
    }),
  );
  const taken = slots.filter((_, i) => decisions[i]?.allowed === true);
  const attempt: Attempt = {
    release: async () => {
      await Promise.all(taken.map((s) => consume({ key: s.returned, limit: COUNT_ONLY_LIMIT, windowSeconds: s.tier.windowSeconds, cost: 1 })));
    },
  };
  const blocked = decisions.filter((d) => !d.allowed);
  if (blocked.length === 0) return { allowed: true, attempt };
  // A refused attempt is not a failure: what it took elsewhere goes back.
  await attempt.release();
  return { allowed: false, retryAfterSeconds: Math.max(1, ...blocked.map((d) => d.retryAfterSeconds)) };
}

/** Account keys carry a digest of the address: bounded length, and no addresses in Redis. */
export const accountKey = (email: string): string => createHash('sha256').update(email, 'utf8').digest('hex').slice(0, 32);


const NO_OP: Attempt = { release: async () => undefined };

export function rateLimited(ctx: EdgeContext, retryAfterSeconds: number, message: string): DispatchError {
  ctx.set(rateLimitHeaders.retryAfter, String(retryAfterSeconds));
  return new DispatchError('RATE_LIMITED', `${message}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** The account endpoints' throttles, on behalf of one edge. */
export class AccountProtection {
  readonly config: AccountProtectionConfig;

  constructor(private readonly deps: EdgeDeps) {
    this.config = resolveAccountProtection(deps.config.accountProtection);
  }

  /** Reserves a login attempt for `email` from this client, or throws 429. Call `release()` unless the password was wrong. */
  async login(ctx: EdgeContext, email: string): Promise<Attempt> {
    const c = this.config;
    const account = accountKey(email);
    const ip = clientAddress(ctx);
    const accountTiers = backoffTiers(c.loginMaxFailures, c.loginWindowSeconds, c.loginBackoffSteps, 1);
    const ipTiers = backoffTiers(c.loginIpMaxFailures, c.loginWindowSeconds, c.loginBackoffSteps, Math.ceil(c.loginIpMaxFailures / 2));
    return this.guard(ctx, 'Too many failed sign-in attempts', async (consume) => {
      const trust = await consume({ key: `login:trust:${account}:${ip}`, limit: COUNT_ONLY_LIMIT, windowSeconds: c.trustedClientSeconds, cost: 0 });
      const trusted = usedOf(trust) > 0;
      const perAccount: Family = trusted
        ? { key: `login:acctip:${account}:${ip}`, tiers: accountTiers }
        : { key: `login:acct:${account}`, tiers: accountTiers };
      return reserve(consume, [perAccount, { key: `login:ip:${ip}`, tiers: ipTiers }]);
    });
  }

  /** Remembers that this client proved it holds the account (a correct password or a reset link). */
  async trustClient(ctx: EdgeContext, email: string): Promise<void> {
    const key = `login:trust:${accountKey(email)}:${clientAddress(ctx)}`;
    try {
      await this.consume(ctx)({ key, limit: COUNT_ONLY_LIMIT, windowSeconds: this.config.trustedClientSeconds, cost: 1 });
    } catch (err) {
      // The sign-in itself succeeded; only the shortcut past an account-wide lock is lost.
      ctx.state.logger.warn({ code: err instanceof DispatchError ? err.code : 'UNKNOWN' }, 'could not mark the client trusted');
    }
  }

  /** Wrong current passwords on `POST /api/user/password/change`: the login policy, per user. */
  async passwordChange(ctx: EdgeContext, userId: string): Promise<Attempt> {
    const c = this.config;
    const tiers = backoffTiers(c.loginMaxFailures, c.loginWindowSeconds, c.loginBackoffSteps, 1);
    return this.guard(ctx, 'Too many wrong current passwords', (consume) => reserve(consume, [{ key: `pwchange:${userId}`, tiers }]));
  }

  /** Wrong verification, invite and reset tokens, per client IP. */
  async tokenAttempt(ctx: EdgeContext): Promise<Attempt> {
    const c = this.config;
    const tiers = [{ windowSeconds: c.tokenAttemptWindowSeconds, limit: c.tokenAttemptLimit }];
    return this.guard(ctx, 'Too many invalid tokens', (consume) => reserve(consume, [{ key: `tokenfail:ip:${clientAddress(ctx)}`, tiers }]));
  }

  /** Emails on request (verification re-send, password reset): a quota per address and kind; throws 429. */
  async emailRequest(ctx: EdgeContext, kind: 'verify' | 'reset', email: string): Promise<void> {
    const c = this.config;
    let decision: RateLimitDecision;
    try {
      decision = await this.consume(ctx)({ key: `mail:${kind}:${accountKey(email)}`, limit: c.emailRequestLimit, windowSeconds: c.emailRequestWindowSeconds, cost: 1 });
    } catch (err) {
      this.unavailable(ctx, err);
      return;
    }
    if (!decision.allowed) throw rateLimited(ctx, decision.retryAfterSeconds, 'Too many emails requested for this address');
  }

  private async guard(ctx: EdgeContext, message: string, run: (consume: Consume) => Promise<ReserveResult>): Promise<Attempt> {
    let result: ReserveResult;
    try {
      result = await run(this.consume(ctx));
    } catch (err) {
      this.unavailable(ctx, err);
      return NO_OP;
    }
    if (!result.allowed) throw rateLimited(ctx, result.retryAfterSeconds, message);
    const { attempt } = result;
    return {
      release: async () => {
        try {
          await attempt.release();
        } catch (err) {
          ctx.state.logger.warn({ code: err instanceof DispatchError ? err.code : 'UNKNOWN' }, 'could not give back a throttle unit');
        }
      },
    };
  }

  private consume(ctx: EdgeContext): Consume {
    return (request) =>
      this.deps.bus.request('ratelimit.consume', request, { requestId: ctx.state.requestId, timeoutMs: this.deps.config.busTimeoutMs });
  }

  /** The ratelimit service did not answer: RATE_LIMIT_FAILURE_POLICY decides (open: go on unthrottled). */
  private unavailable(ctx: EdgeContext, err: unknown): void {
    const policy = this.deps.config.rateLimit.failurePolicy;
    ctx.state.logger.warn({ code: err instanceof DispatchError ? err.code : 'UNKNOWN', failurePolicy: policy }, 'account throttle unavailable');
    if (policy === 'closed') throw new DispatchError('SERVICE_UNAVAILABLE', 'Sign-in protection is temporarily unavailable, try again shortly');
  }
}
