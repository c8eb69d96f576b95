import { z } from 'zod';
import { env } from '@dispatch/runtime';


export const RateLimitEnv = z.object({
  NATS_URL: env.natsServers(),
  REDIS_URL: env.url(['redis', 'rediss']),
  DISPATCH_NAMESPACE: env.namespace(),
  RATELIMIT_KEY_PREFIX: z.string().min(1).max(100).optional(),
  /** One `infra.redis_unavailable` alert per window of this many minutes (per incident, deduplicated by event id). */
  RATELIMIT_ALERT_WINDOW_MINUTES: env.int(60),
  LOG_LEVEL: env.logLevel(),
  OPS_PORT: env.opsPort(),
});
export type RateLimitEnv = z.output<typeof RateLimitEnv>;


export interface RateLimitConfig {
  natsUrl: string;
  redisUrl: string;
  namespace: string;
  keyPrefix: string;
  alertWindowMinutes: number;
  logLevel: string;
  /** Port of /healthz, /readyz and /metrics. */
  opsPort: number;
}

export function toRateLimitConfig(e: RateLimitEnv): RateLimitConfig {
  return {
    natsUrl: e.NATS_URL,
    redisUrl: e.REDIS_URL,
    namespace: e.DISPATCH_NAMESPACE,
    keyPrefix: e.RATELIMIT_KEY_PREFIX ?? `${e.DISPATCH_NAMESPACE}:rl`,
    alertWindowMinutes: e.RATELIMIT_ALERT_WINDOW_MINUTES,
    logLevel: e.LOG_LEVEL,
    opsPort: e.OPS_PORT,
  };
}
