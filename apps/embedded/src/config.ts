import { env } from '@dispatch/runtime';
import { accountProtectionEnvShape, edgeTuningEnvShape } from '@dispatch/edge';
import { alertEnvShape, planEnvShape, tokenTuningEnvShape } from '@dispatch/token';
import { z } from 'zod';

/** The embedded default reads the same variable names as the mesh services. */
export const EmbeddedEnv = z.object({
  DISPATCH_NAMESPACE: env.namespace(),
  EDGE_PORT: env.port(8080),
  EDGE_HOST: z.string().default('127.0.0.1'),
  UPSTREAM_URL: env.url(['http', 'https']).optional(),
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  OUTBOX_DIR: z.string().default('.dispatch/outbox'),
  MAIL_FROM: z.string().default('Dispatch <no-reply@dispatch.localhost>'),
  PUBLIC_URL: env.url(['http', 'https']).optional(),
  /** DEFAULT_PLAN, BUSINESS_PLANS, RATE_LIMIT_DEFAULT_LIMIT, RATE_LIMIT_WINDOW_SECONDS: as in the token service. */
  ...planEnvShape,
  /** SESSION_TTL_SECONDS, LAST_USED_FLUSH_MS, TOKEN_MAX_ACTIVE_PER_BUSINESS, …: as in the token service. */
  ...tokenTuningEnvShape,
  /** RATE_LIMIT_FAILURE_POLICY, BODY_LIMIT_BYTES, BUS_TIMEOUT_MS, …: as at the edge. */
  ...edgeTuningEnvShape,
  PASSWORD_SCRYPT_N: env.int(16384, 2),
  PASSWORD_SCRYPT_R: env.int(8),
  PASSWORD_SCRYPT_P: env.int(1),
  VERIFICATION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  INVITE_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(168),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  NOTIFICATION_WEBHOOK_MAX_DELIVER: env.int(8),
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: env.int(10_000),
  NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  LOG_LEVEL: env.logLevel(),
  ...accountProtectionEnvShape,
  ...alertEnvShape,
});
export type EmbeddedEnv = z.output<typeof EmbeddedEnv>;
