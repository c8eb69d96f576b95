import { env } from '@dispatch/runtime';
import { z } from 'zod';

export const EdgeEnv = z.object({
  NATS_URL: env.natsServers(),
  DISPATCH_NAMESPACE: env.namespace(),
  EDGE_PORT: env.port(8080),
  EDGE_HOST: z.string().default('127.0.0.1'),
  UPSTREAM_URL: env.url(['http', 'https']),
  RATE_LIMIT_DEFAULT_LIMIT: env.int(1000),
  RATE_LIMIT_WINDOW_SECONDS: env.int(3600),
  RATE_LIMIT_FAILURE_POLICY: z.enum(['open', 'closed']).default('open'),
  BODY_LIMIT_BYTES: env.int(16 * 1024),
  BUS_TIMEOUT_MS: env.int(3000),
  UPSTREAM_TIMEOUT_MS: env.int(30_000),
  LOG_LEVEL: env.logLevel(),
});
export type EdgeEnv = z.output<typeof EdgeEnv>;

export interface EdgeConfig {
  upstreamUrl: string;
  rateLimit: { limit: number; windowSeconds: number; failurePolicy: 'open' | 'closed' };
  bodyLimitBytes: number;
  busTimeoutMs: number;
  upstreamTimeoutMs: number;
}

export const edgeConfigFromEnv = (e: EdgeEnv): EdgeConfig => ({
  upstreamUrl: e.UPSTREAM_URL,
  rateLimit: { limit: e.RATE_LIMIT_DEFAULT_LIMIT, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS, failurePolicy: e.RATE_LIMIT_FAILURE_POLICY },
  bodyLimitBytes: e.BODY_LIMIT_BYTES,
  busTimeoutMs: e.BUS_TIMEOUT_MS,
  upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
});
