import { z } from 'zod';
import type { Role } from './common.js';

/**
 * Plans and per-token quotas.
 *
 * Every business has a plan (default `free`, see the token service's DEFAULT_PLAN and
 * BUSINESS_PLANS). The plan's quota is the default quota of EVERY token of the business (each
 * token has its own counter) and the ceiling of any per-token override:
 *
 * | plan         | default quota per token | ceiling of an override (average rate) |
 * |--------------|-------------------------|----------------------------------------|
 * | `free`       | 1 000 requests / hour   | 1 000 / hour                           |
 * | `pro`        | 10 000 requests / hour  | 10 000 / hour                          |
 * | `enterprise` | 100 000 requests / hour | 100 000 / hour                         |
 *
 * An override `{limit, windowSeconds}` may use another window but not a higher average rate:
 * `limit / windowSeconds <= plan.limit / plan.windowSeconds` (checked exactly in integers).
 */
export const PlanName = z.enum(['free', 'pro', 'enterprise']);
export type PlanName = z.infer<typeof PlanName>;

export interface Quota {
  limit: number;
  windowSeconds: number;
}

export const planQuotas: Readonly<Record<PlanName, Readonly<Quota>>> = {
  free: { limit: 1_000, windowSeconds: 3600 },
  pro: { limit: 10_000, windowSeconds: 3600 },
  enterprise: { limit: 100_000, windowSeconds: 3600 },
};

export const DEFAULT_PLAN: PlanName = 'free';

/** Bounds of a per-token override. */
export const MIN_QUOTA_WINDOW_SECONDS = 1;
export const MAX_QUOTA_WINDOW_SECONDS = 24 * 3600;
export const MAX_QUOTA_LIMIT = 1_000_000_000;

/** Roles that may set or change a token's quota (developers may create tokens, not raise or lower their quota). */
export const quotaManagerRoles: readonly Role[] = ['owner', 'admin'];

/**
 * `enforce`: requests over the limit get 429. `shadow`: the limit is evaluated and reported
 * (headers, metric) but never refuses; the plan's default quota stays enforced meanwhile.
 */
export const RateLimitMode = z.enum(['enforce', 'shadow']);
export type RateLimitMode = z.infer<typeof RateLimitMode>;

/** A per-token quota override, as given in POST /api/v1/tokens and PATCH /api/v1/tokens/{id}. */
export const RateLimitOverride = z.strictObject({
  limit: z
    .number({ error: 'rateLimit.limit must be a number' })
    .int('rateLimit.limit must be a whole number')
    .min(1, 'rateLimit.limit must be at least 1')
    .max(MAX_QUOTA_LIMIT, `rateLimit.limit must be at most ${MAX_QUOTA_LIMIT}`),
  windowSeconds: z
    .number({ error: 'rateLimit.windowSeconds must be a number of seconds' })
    .int('rateLimit.windowSeconds must be a whole number of seconds')
    .min(MIN_QUOTA_WINDOW_SECONDS, `rateLimit.windowSeconds must be at least ${MIN_QUOTA_WINDOW_SECONDS}`)
    .max(MAX_QUOTA_WINDOW_SECONDS, `rateLimit.windowSeconds must be at most ${MAX_QUOTA_WINDOW_SECONDS} (1 day)`),
  mode: RateLimitMode.default('enforce'),
});
export type RateLimitOverride = z.output<typeof RateLimitOverride>;
export type RateLimitOverrideInput = z.input<typeof RateLimitOverride>;

/** A token's quota as it applies now: its override, or its business plan's default. */
export const EffectiveRateLimit = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive(),
  mode: RateLimitMode,
  /** `token`: an override set on this token; `plan`: the plan's default. */
  source: z.enum(['plan', 'token']),
  plan: PlanName,
});
export type EffectiveRateLimit = z.infer<typeof EffectiveRateLimit>;

const QuotaSchema = z.object({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() });

/**
 * The quota the edge applies, carried in the `token.validate` reply (cached and invalidated with
 * the token, so no extra call per request): `enforce` always, `shadow` only in shadow mode.
 */
export const PrincipalRateLimit = z.object({ enforce: QuotaSchema, shadow: QuotaSchema.optional() });
export type PrincipalRateLimit = z.infer<typeof PrincipalRateLimit>;

/** Whether an override allows a higher average rate than the plan's quota (exact, in integers). */
export const exceedsPlan = (override: Quota, plan: Quota): boolean => override.limit * plan.windowSeconds > plan.limit * override.windowSeconds;

/** The effective quota of a token: its override, else the plan default. */
export function effectiveRateLimit(override: RateLimitOverride | null, plan: PlanName, planQuota: Quota = planQuotas[plan]): EffectiveRateLimit {
  return override
    ? { limit: override.limit, windowSeconds: override.windowSeconds, mode: override.mode, source: 'token', plan }
    : { limit: planQuota.limit, windowSeconds: planQuota.windowSeconds, mode: 'enforce', source: 'plan', plan };
}

/** What the edge applies for an effective quota (the plan's quota stays enforced under a shadow override). */
export function principalRateLimit(effective: EffectiveRateLimit, planQuota: Quota): PrincipalRateLimit {
  const own = { limit: effective.limit, windowSeconds: effective.windowSeconds };
  if (effective.mode === 'shadow') return { enforce: { limit: planQuota.limit, windowSeconds: planQuota.windowSeconds }, shadow: own };
  return { enforce: own };
}
