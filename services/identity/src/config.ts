import { hostname } from 'node:os';
import { env } from '@dispatch/runtime';
import { z } from 'zod';
import { assertScryptParams, defaultScryptParams, type ScryptParams } from './passwords/index.js';

const HOUR_MS = 3600 * 1000;

/** What the identity use-cases need to know; every field has a default. */
export interface IdentityConfig {
  /** Shown by `identity.ping`. */
  instance: string;
  scrypt: ScryptParams;
  /** Lifetime of an email-verification token. */
  verificationTtlMs: number;
  /** Lifetime of a member invite. */
  inviteTtlMs: number;
  /** Lifetime of a password-reset token (default 1 h). */
  passwordResetTtlMs: number;
}

export interface IdentityConfigInput {
  instance?: string;
  scrypt?: Partial<ScryptParams>;
  verificationTtlMs?: number;
  inviteTtlMs?: number;
  passwordResetTtlMs?: number;
}

export const defaultInstanceName = (): string => `identity-${hostname()}-${process.pid}`;

export function resolveIdentityConfig(input: IdentityConfigInput = {}): IdentityConfig {
  const scrypt = { ...defaultScryptParams, ...input.scrypt };
  assertScryptParams(scrypt);
  const config: IdentityConfig = {
    instance: input.instance ?? defaultInstanceName(),
    scrypt,
    verificationTtlMs: input.verificationTtlMs ?? 24 * HOUR_MS,
    inviteTtlMs: input.inviteTtlMs ?? 168 * HOUR_MS,
    passwordResetTtlMs: input.passwordResetTtlMs ?? HOUR_MS,
  };
  if (!(config.verificationTtlMs > 0) || !(config.inviteTtlMs > 0) || !(config.passwordResetTtlMs > 0)) {
    throw new Error('Token lifetimes must be positive');
  }
  return config;
}

const DB_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A comma-separated list of NATS server URLs. */
const natsServers = z
  .string({ error: 'is required' })
  .min(1, 'is required')
  .refine(
    (value) =>
      value.split(',').every((part) => {
        try {
          return ['nats:', 'tls:', 'ws:', 'wss:'].includes(new URL(part.trim()).protocol);
        } catch {
          return false;
        }
      }),
    'must be one or more comma-separated URLs (nats, tls, ws, wss)',
  );

const powerOfTwo = z.coerce
  .number()
  .int()
  .min(2)
  .max(2 ** 20)
  .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
  .default(defaultScryptParams.N);

/** The identity service's environment (mesh mode). */
export const identityEnvSchema = z.object({
  NATS_URL: natsServers,
  MONGO_URL: z.string({ error: 'is required' }).pipe(env.url(['mongodb', 'mongodb+srv'])),
  DISPATCH_NAMESPACE: env.namespace(),
  IDENTITY_DB_NAME: z.string().regex(DB_NAME, 'must be 1-64 letters, digits, _ or -').optional(),
  LOG_LEVEL: env.logLevel(),
  OPS_PORT: env.opsPort(),
  PASSWORD_SCRYPT_N: powerOfTwo,
  PASSWORD_SCRYPT_R: z.coerce.number().int().min(1).max(32).default(defaultScryptParams.r),
  PASSWORD_SCRYPT_P: z.coerce.number().int().min(1).max(16).default(defaultScryptParams.p),
  VERIFICATION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  INVITE_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(168),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
});
export type IdentityEnv = z.output<typeof identityEnvSchema>;

/**
 * The part of `env` this service reads: its own variables and their `_FILE` forms. (loadConfig
 * resolves every `*_FILE` variable it is given, so unrelated ones such as TF_CLI_CONFIG_FILE
 * pointing at a missing file would otherwise fail start-up.)
 */
export function identityEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const name of Object.keys(identityEnvSchema.shape)) {
    for (const key of [name, `${name}_FILE`]) {
      const value = env[key];
      if (value !== undefined) picked[key] = value;
    }
  }
  return picked;
}

export interface IdentitySettings {
  natsUrl: string;
  mongoUrl: string;
  namespace: string;
  dbName: string;
  logLevel: IdentityEnv['LOG_LEVEL'];
  /** Port of /healthz, /readyz and /metrics. */
  opsPort: number;
  identity: IdentityConfig;
}

/** Turns the parsed environment into settings; the database defaults to `<namespace>_identity`. */
export function settingsFromEnv(e: IdentityEnv): IdentitySettings {
  return {
    natsUrl: e.NATS_URL,
    mongoUrl: e.MONGO_URL,
    namespace: e.DISPATCH_NAMESPACE,
    dbName: e.IDENTITY_DB_NAME ?? `${e.DISPATCH_NAMESPACE}_identity`,
    logLevel: e.LOG_LEVEL,
    opsPort: e.OPS_PORT,
    identity: resolveIdentityConfig({
      scrypt: { N: e.PASSWORD_SCRYPT_N, r: e.PASSWORD_SCRYPT_R, p: e.PASSWORD_SCRYPT_P },
      verificationTtlMs: e.VERIFICATION_TTL_HOURS * HOUR_MS,
      inviteTtlMs: e.INVITE_TTL_HOURS * HOUR_MS,
      passwordResetTtlMs: e.PASSWORD_RESET_TTL_MINUTES * 60_000,
    }),
  };
}
