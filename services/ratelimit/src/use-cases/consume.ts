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
  onStoreFailure?: (reason: string) => void,
): Promise<RateLimitDecision> {
  try {
    return await limiter.consume(request);
  } catch (err) {
    if (isDispatchError(err)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    logger.warn({ err: { message: reason } }, 'rate-limit store unavailable');
    onStoreFailure?.(reason);
    throw errors.unavailable('Rate-limit store is unavailable');
  }
}
