import type { ConsumeRequest, RateLimitDecision } from '@dispatch/contracts';

/** One consume call: `cost` defaults to 1. */
export type ConsumeInput = ConsumeRequest;

/**
 * The rate limiter port: fixed windows aligned to the Unix epoch.
 *
 * - windowStart = floor(now / windowSeconds) * windowSeconds; resetAt = windowStart + windowSeconds (epoch seconds)
 * - a request is allowed when used + cost <= limit; only allowed requests consume quota
 * - remaining = limit - used after this request, never negative
 * - retryAfterSeconds = resetAt - now (at least 1) when rejected, 0 when allowed
 * - cost 0 is a read: nothing is consumed, `remaining` tells how much of the window is used
 */
export interface RateLimiter {
  consume(input: ConsumeInput): Promise<RateLimitDecision>;
  /** True while the backing store is reachable (the in-process limiter is always ready). */
  isReady(): boolean;
}

export interface WindowMath {
  windowStart: number;
  resetAt: number;
}

/** Epoch-aligned fixed window that contains `nowSeconds`. */
export function windowAt(nowSeconds: number, windowSeconds: number): WindowMath {
  const windowStart = Math.floor(nowSeconds / windowSeconds) * windowSeconds;
  return { windowStart, resetAt: windowStart + windowSeconds };
}

/** The shared decision rule: given the units used before this request, decide. */
export function decide(
  used: number,
  input: { limit: number; cost: number },
  nowSeconds: number,
  resetAt: number,
): { decision: RateLimitDecision; usedAfter: number } {
  const { limit, cost } = input;
  if (used + cost <= limit) {
    const usedAfter = used + cost;
    return {
      usedAfter,
      decision: { allowed: true, limit, remaining: Math.max(0, limit - usedAfter), resetAt, retryAfterSeconds: 0 },
    };
  }
  return {
    usedAfter: used,
    decision: {
      allowed: false,
      limit,
      remaining: Math.max(0, limit - used),
      resetAt,
      retryAfterSeconds: Math.max(1, Math.ceil(resetAt - nowSeconds)),
    },
  };
}
