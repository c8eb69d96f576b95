export { createRateLimitService, type RateLimitService, type RateLimitServiceDeps } from './service.js';
export { windowAt, decide, type RateLimiter, type ConsumeInput } from './limiter/limiter.js';
export { MemoryLimiter, type MemoryLimiterOptions } from './limiter/memory-limiter.js';
export {
  RedisLimiter,
  CONSUME_SCRIPT,
  CONSUME_SCRIPT_SHA1,
  type RedisLimiterOptions,
  type RedisScriptClient,
} from './limiter/redis-limiter.js';
export { RateLimitEnv, toRateLimitConfig, type RateLimitConfig } from './config.js';
export { InfraAlerter, type InfraAlerterOptions } from './alerts/infra-alerter.js';
