import { z } from 'zod';
import { env } from '@dispatch/runtime';

/** A comma-separated list of nats:// (or tls://, ws://, wss://) server URLs. */
const natsServers = () =>
  z.string().refine(
    (v) => v.split(',').every((part) => env.url(['nats', 'tls', 'ws', 'wss']).safeParse(part.trim()).success),
    'must be nats:// URL(s), comma-separated',
  );

export const RateLimitEnv = z.object({
  NATS_URL: natsServers(),
  REDIS_URL: env.url(['redis', 'rediss']),
  DISPATCH_NAMESPACE: env.namespace(),
  RATELIMIT_KEY_PREFIX: z.string().min(1).max(100).optional(),
  LOG_LEVEL: env.logLevel(),
});
export type RateLimitEnv = z.output<typeof RateLimitEnv>;

/**
 * The part of the environment this service reads: its own variables and their `_FILE` forms.
 * (loadConfig resolves every `*_FILE` variable it is given; unrelated ones such as
 * TF_CLI_CONFIG_FILE pointing at a missing file must not stop the service.)
 */
export function ownEnv(schema: z.ZodObject, source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of Object.keys(schema.shape)) {
    if (source[name] !== undefined) out[name] = source[name];
    if (source[`${name}_FILE`] !== undefined) out[`${name}_FILE`] = source[`${name}_FILE`];
  }
  return out;
}

export interface RateLimitConfig {
  natsUrl: string;
  redisUrl: string;
  namespace: string;
  keyPrefix: string;
  logLevel: string;
}

export function toRateLimitConfig(e: RateLimitEnv): RateLimitConfig {
  return {
    natsUrl: e.NATS_URL,
    redisUrl: e.REDIS_URL,
    namespace: e.DISPATCH_NAMESPACE,
    keyPrefix: e.RATELIMIT_KEY_PREFIX ?? `${e.DISPATCH_NAMESPACE}:rl`,
    logLevel: e.LOG_LEVEL,
  };
}
