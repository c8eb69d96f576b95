import { env } from '@dispatch/runtime';
import { z } from 'zod';
import { accountProtectionEnvShape, accountProtectionFromEnv, type AccountProtectionConfig } from './auth/account-protection.js';

/** Paths the edge serves itself: a public prefix may neither contain them nor lie inside them. */
const EDGE_OWNED_ROOTS = ['/api/v1/', '/api/user/', '/healthz', '/readyz', '/openapi.json'];

/**
 * EDGE_PUBLIC_PREFIX: a path prefix such as `/api/public/` whose requests the edge forwards to the
 * upstream as they are — no authentication, no rate limit, no principal headers (client-sent
 * `x-dispatch-*` headers are stripped as everywhere). Empty (the default) turns the route off.
 * For upstream endpoints that are public anyway, and as the forward-only baseline of the benchmark.
 */
export const publicPrefixEnv = z
  .string()
  .default('')
  .refine((p) => p === '' || /^(\/[a-z0-9-]+)+\/$/.test(p), 'must look like /api/public/ (lower-case segments, leading and trailing slash)')
  .refine(
    (p) => p === '' || !EDGE_OWNED_ROOTS.some((root) => root.startsWith(p) || p.startsWith(root)),
    'must not contain or lie inside a path the edge serves (/api/v1/, /api/user/, /healthz, /readyz, /openapi.json)',
  );

/** Tuning read by the edge and the embedded mode alike (same names, same defaults). */
export const edgeTuningEnvShape = {
  RATE_LIMIT_FAILURE_POLICY: z.enum(['open', 'closed']).default('open'),
  BODY_LIMIT_BYTES: env.int(16 * 1024),
  BUS_TIMEOUT_MS: env.int(3000),
  UPSTREAM_TIMEOUT_MS: env.int(30_000),
  /** Largest request body forwarded to the upstream (413 past it); default 10 MiB. */
  PROXY_BODY_LIMIT_BYTES: env.int(10 * 1024 * 1024),
  /** Forward-only prefix (no auth, no rate limit), e.g. `/api/public/`; empty = off (the default). */
  EDGE_PUBLIC_PREFIX: publicPrefixEnv,
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
  /** Largest request body forwarded to the upstream (default 10 MiB); larger is 413 PAYLOAD_TOO_LARGE. */
  proxyBodyLimitBytes?: number;
  /** Requests under this prefix are forwarded without authentication or rate limit; unset = off. */
  publicPrefix?: string;
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
  proxyBodyLimitBytes: e.PROXY_BODY_LIMIT_BYTES,
  ...(e.EDGE_PUBLIC_PREFIX ? { publicPrefix: e.EDGE_PUBLIC_PREFIX } : {}),
  usageFlushMs: e.EDGE_USAGE_FLUSH_MS,
  keysRefreshMs: e.EDGE_KEYS_REFRESH_MS,
  accountProtection: accountProtectionFromEnv(e),
});
