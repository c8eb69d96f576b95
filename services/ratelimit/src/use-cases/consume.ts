import { errors, isDispatchError, type ParsedRequestOf, type RateLimitDecision } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { RateLimiter } from '../limiter/limiter.js';

/**
 * Consumes quota. A store failure becomes SERVICE_UNAVAILABLE: the edge decides whether to fail
 * open or closed, this service never guesses.
 */
export async function consumeQuota(
  limiter: RateLimiter,
  request: ParsedRequestOf<'ratelimit.consume'>,
  logger: Logger,
): Promise<RateLimitDecision> {
  try {
    return await limiter.consume(request);
  } catch (err) {
    if (isDispatchError(err)) throw err;
    logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'rate-limit store unavailable');
    throw errors.unavailable('Rate-limit store is unavailable');
  }
}
