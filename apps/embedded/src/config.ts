import { env } from '@dispatch/runtime';
import { accountProtectionEnvShape, publicPrefixEnv } from '@dispatch/edge';
import { z } from 'zod';

/** The embedded default reads the same variable names as the mesh services. */
export const EmbeddedEnv = z.object({
  DISPATCH_NAMESPACE: env.namespace(),
  EDGE_PORT: env.port(8080),
  EDGE_HOST: z.string().default('127.0.0.1'),
  UPSTREAM_URL: env.url(['http', 'https']).optional(),
  EDGE_PUBLIC_PREFIX: publicPrefixEnv,
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  OUTBOX_DIR: z.string().default('.dispatch/outbox'),
  MAIL_FROM: z.string().default('Dispatch <no-reply@dispatch.localhost>'),
  PUBLIC_URL: env.url(['http', 'https']).optional(),
  RATE_LIMIT_DEFAULT_LIMIT: env.int(1000),
  RATE_LIMIT_WINDOW_SECONDS: env.int(3600),
  SESSION_TTL_SECONDS: env.int(28800, 60),
  PASSWORD_SCRYPT_N: env.int(16384, 2),
  PASSWORD_SCRYPT_R: env.int(8),
  PASSWORD_SCRYPT_P: env.int(1),
  VERIFICATION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  INVITE_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(168),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  LOG_LEVEL: env.logLevel(),
  ...accountProtectionEnvShape,
});
export type EmbeddedEnv = z.output<typeof EmbeddedEnv>;
