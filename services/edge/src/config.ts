import { env } from '@dispatch/runtime';
import { z } from 'zod';
import { accountProtectionEnvShape, accountProtectionFromEnv, type AccountProtectionConfig } from './auth/account-protection.js';

/** Tuning read by the edge and the embedded mode alike (same names, same defaults). */
export const edgeTuningEnvShape = {
  RATE_LIMIT_FAILURE_POLICY: z.enum(['open', 'closed']).default('open'),
  BODY_LIMIT_BYTES: env.int(16 * 1024),
  BUS_TIMEOUT_MS: env.int(3000),
  UPSTREAM_TIMEOUT_MS: env.int(30_000),
  /** How often the per-token usage counts are published as one `usage.recorded` event. */
  EDGE_USAGE_FLUSH_MS: env.int(5000, 50),
  /** How often the known signing key ids are re-fetched from the token service. */
  EDGE_KEYS_REFRESH_MS: env.int(60_000, 100),
};

export const EdgeEnv = z.object({
  NATS_URL: env.natsServers(),
  DISPATCH_NAMESPACE: env.namespace(),
  EDGE_PORT: env.port(8080),
  EDGE_HOST: z.string().default('127.0.0.1'),
  UPSTREAM_URL: env.url(['http', 'https']),
  RATE_LIMIT_DEFAULT_LIMIT: env.int(1000),
  RATE_LIMIT_WINDOW_SECONDS: env.int(3600),
  ...edgeTuningEnvShape,
  LOG_LEVEL: env.logLevel(),
  /** /healthz, /readyz and /metrics (Prometheus) — never on the public EDGE_PORT. */
  OPS_PORT: env.opsPort(),
  ...accountProtectionEnvShape,
});
export type EdgeEnv = z.output<typeof EdgeEnv>;

export interface EdgeConfig {
  upstreamUrl: string;
  rateLimit: { limit: number; windowSeconds: number; failurePolicy: 'open' | 'closed' };
  bodyLimitBytes: number;
  busTimeoutMs: number;
  upstreamTimeoutMs: number;
  /** How often usage counts are published (default 5000 ms). */
  usageFlushMs?: number;
  /** How often the known key ids are re-fetched (default 60000 ms). */
  keysRefreshMs?: number;
  /** The built Management Portal served on `/` (default: @dispatch/portal's build); null: API only. */
  portalDir?: string | null;
  /** Throttles of the account endpoints (login, tokens, emails); defaults when omitted. */
  accountProtection?: Partial<AccountProtectionConfig>;
}

export const edgeConfigFromEnv = (e: EdgeEnv): EdgeConfig => ({
  upstreamUrl: e.UPSTREAM_URL,
  rateLimit: { limit: e.RATE_LIMIT_DEFAULT_LIMIT, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS, failurePolicy: e.RATE_LIMIT_FAILURE_POLICY },
  bodyLimitBytes: e.BODY_LIMIT_BYTES,
  busTimeoutMs: e.BUS_TIMEOUT_MS,
  upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
  usageFlushMs: e.EDGE_USAGE_FLUSH_MS,
  keysRefreshMs: e.EDGE_KEYS_REFRESH_MS,
  accountProtection: accountProtectionFromEnv(e),
});
