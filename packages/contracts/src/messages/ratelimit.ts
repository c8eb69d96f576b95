import { z } from 'zod';

/**
 * One rate-limit decision: consume `cost` units of `key`'s quota in a fixed window.
 * `cost: 0` consumes nothing: it reads the window (`remaining` = limit - used) without changing it.
 */
/** The highest limit a consume may name: a counter with this limit counts without ever refusing. */
export const COUNT_ONLY_LIMIT = 1_000_000_000;

export const ConsumeRequest = z.strictObject({
  key: z.string().min(1).max(200),
  limit: z.number().int().positive().max(COUNT_ONLY_LIMIT),
  windowSeconds: z.number().int().positive().max(31 * 24 * 3600),
  cost: z.number().int().nonnegative().max(1000).default(1),
});
export type ConsumeRequest = z.input<typeof ConsumeRequest>;

export const RateLimitDecision = z.object({
  allowed: z.boolean(),
  limit: z.number().int(),
  /** Units left after this request, never negative. */
  remaining: z.number().int().nonnegative(),
  /** Unix epoch seconds when the window resets. */
  resetAt: z.number().int(),
  /** Seconds until a retry can succeed (0 when allowed). */
  retryAfterSeconds: z.number().int().nonnegative(),
});
export type RateLimitDecision = z.infer<typeof RateLimitDecision>;

/** Units used in the window after a decision (limit − remaining). */
export const usedOf = (decision: RateLimitDecision): number => decision.limit - decision.remaining;
