import {
  DispatchError,
  effectiveRateLimit,
  exceedsPlan,
  quotaManagerRoles,
  type EffectiveRateLimit,
  type PlanName,
  type Quota,
  type RateLimitOverride,
  type Role,
} from '@dispatch/contracts';
import type { ApiTokenCredential } from '../store/api-token-repository.js';
import type { TokenContext } from './context.js';

/** The business's plan: named in BUSINESS_PLANS, else DEFAULT_PLAN. */
export const planOf = (ctx: Pick<TokenContext, 'config'>, businessId: string): PlanName =>
  ctx.config.businessPlans.get(businessId) ?? ctx.config.defaultPlan;

export const planQuotaOf = (ctx: Pick<TokenContext, 'config'>, plan: PlanName): Quota => ctx.config.planQuotas[plan];

/**
 * The token's override now: its latest change (`null` = reset to the plan), else the one given
 * at creation. `change` is `undefined` when the token's quota was never changed.
 */
export const currentOverride = (token: Pick<ApiTokenCredential, 'rateLimit'>, change: RateLimitOverride | null | undefined): RateLimitOverride | null =>
  change === undefined ? token.rateLimit : change;

export function effectiveQuota(
  ctx: Pick<TokenContext, 'config'>,
  token: Pick<ApiTokenCredential, 'businessId' | 'rateLimit'>,
  change: RateLimitOverride | null | undefined,
): EffectiveRateLimit {
  const plan = planOf(ctx, token.businessId);
  return effectiveRateLimit(currentOverride(token, change), plan, planQuotaOf(ctx, plan));
}

/**
 * Who may set an override and how high: owners and admins (403 insufficient_role otherwise), at
 * most the plan's average rate (403 plan_feature_missing, with the plan's quota in the details).
 */
export function checkOverride(ctx: Pick<TokenContext, 'config'>, businessId: string, override: RateLimitOverride, role: Role): void {
  if (!quotaManagerRoles.includes(role)) {
    throw new DispatchError('FORBIDDEN', `Your role (${role}) cannot set a token's quota; ask an owner or admin`, { reason: 'insufficient_role' });
  }
  const plan = planOf(ctx, businessId);
  const quota = planQuotaOf(ctx, plan);
  if (exceedsPlan(override, quota)) {
    throw new DispatchError(
      'FORBIDDEN',
      `The ${plan} plan allows at most ${quota.limit} requests per ${quota.windowSeconds} s per token; ${override.limit} per ${override.windowSeconds} s is more`,
      { reason: 'plan_feature_missing', plan, planLimit: quota.limit, planWindowSeconds: quota.windowSeconds },
    );
  }
}
