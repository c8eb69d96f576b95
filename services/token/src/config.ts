import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { env, loadConfig } from '@dispatch/runtime';
import { DEFAULT_PLAN, MAX_QUOTA_LIMIT, MAX_QUOTA_WINDOW_SECONDS, PlanName, planQuotas, type AlertSettings, type Quota } from '@dispatch/contracts';
import { defaultAlertSettings } from './alerts/settings.js';
import { KeyringError, parseSigningKeys } from './keys/keyring.js';

/** What the token service needs at run time, in either mode. */
export interface TokenServiceConfig {
  /** Lifetime of a session token (default 28800 = 8 h). */
  sessionTtlSeconds: number;
  /** How often recorded token uses are written to the store (default 15 s). */
  lastUsedFlushMs: number;
  /** How often expired sessions are deleted (no TTL indexes on FerretDB; default 1 h). */
  sessionPurgeIntervalMs: number;
  /** Cap on active API tokens per business (default 50); creating one more is 409 CONFLICT. */
  maxActiveTokensPerBusiness: number;
  /** How often tokens that expired (or whose rotation grace ended) are written to the audit (default 60 s). */
  expirySweepMs: number;
  /** How often this instance announces its key ids to the edges (default 60 s; also at start). */
  keysAnnounceMs: number;
  /** How long to wait for identity when resolving the owners to notify (default 2 s). */
  identityTimeoutMs: number;
  /** How long a validation may trust its cached API-token record without an invalidation (default 30 s; 0 = no cache). */
  validationCacheTtlMs: number;
  /** Entries of the validation cache, least recently used evicted first (default 10000). */
  validationCacheMaxEntries: number;
  /** The plan of every business not named in `businessPlans` (default `free`). */
  defaultPlan: PlanName;
  /** Plans of named businesses (ops: BUSINESS_PLANS). */
  businessPlans: ReadonlyMap<string, PlanName>;
  /** The default quota of each plan (the table in @dispatch/contracts; RATE_LIMIT_DEFAULT_LIMIT/WINDOW redefine the default plan's). */
  planQuotas: Readonly<Record<PlanName, Quota>>;
  /** Alert thresholds of every business that has not changed them (env `ALERT_*`). */
  alertDefaults: AlertSettings;
  /** This instance's name in ping replies. */
  instance: string;
}

export const defaultTokenServiceConfig = {
  sessionTtlSeconds: 28_800,
  lastUsedFlushMs: 15_000,
  sessionPurgeIntervalMs: 3_600_000,
  maxActiveTokensPerBusiness: 50,
  expirySweepMs: 60_000,
  keysAnnounceMs: 60_000,
  identityTimeoutMs: 2_000,
  validationCacheTtlMs: 30_000,
  validationCacheMaxEntries: 10_000,
} as const;

export function resolveTokenServiceConfig(input: Partial<TokenServiceConfig> = {}): TokenServiceConfig {
  return {
    sessionTtlSeconds: input.sessionTtlSeconds ?? defaultTokenServiceConfig.sessionTtlSeconds,
    lastUsedFlushMs: input.lastUsedFlushMs ?? defaultTokenServiceConfig.lastUsedFlushMs,
    sessionPurgeIntervalMs: input.sessionPurgeIntervalMs ?? defaultTokenServiceConfig.sessionPurgeIntervalMs,
    maxActiveTokensPerBusiness: input.maxActiveTokensPerBusiness ?? defaultTokenServiceConfig.maxActiveTokensPerBusiness,
    expirySweepMs: input.expirySweepMs ?? defaultTokenServiceConfig.expirySweepMs,
    keysAnnounceMs: input.keysAnnounceMs ?? defaultTokenServiceConfig.keysAnnounceMs,
    identityTimeoutMs: input.identityTimeoutMs ?? defaultTokenServiceConfig.identityTimeoutMs,
    validationCacheTtlMs: input.validationCacheTtlMs ?? defaultTokenServiceConfig.validationCacheTtlMs,
    validationCacheMaxEntries: input.validationCacheMaxEntries ?? defaultTokenServiceConfig.validationCacheMaxEntries,
    defaultPlan: input.defaultPlan ?? DEFAULT_PLAN,
    businessPlans: input.businessPlans ?? new Map(),
    planQuotas: input.planQuotas ?? planQuotas,
    alertDefaults: input.alertDefaults ?? defaultAlertSettings,
    instance: input.instance ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** Plans (read by the token service and the embedded mode alike). */
export const planEnvShape = {
  /** The plan of every business not named in BUSINESS_PLANS. */
  DEFAULT_PLAN: z.preprocess(blankToUndefined, PlanName.default(DEFAULT_PLAN)),
  /** Comma-separated `biz_…:plan` pairs (ops-set plans of named businesses). */
  BUSINESS_PLANS: z.preprocess(blankToUndefined, z.string().optional()).transform((v, ctx) => {
    const plans = new Map<string, PlanName>();
    for (const pair of (v ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const [biz, plan, extra] = pair.split(':').map((p) => p.trim());
      const parsed = PlanName.safeParse(plan);
      if (!biz || !/^biz_[0-9a-z]{26}$/.test(biz) || !parsed.success || extra !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${pair}" is not biz_<id>:<${PlanName.options.join('|')}>` });
        continue;
      }
      plans.set(biz, parsed.data);
    }
    return plans;
  }),
  /** When set: the default plan's quota (default and ceiling) instead of the table's. */
  RATE_LIMIT_DEFAULT_LIMIT: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(MAX_QUOTA_LIMIT).optional()),
  RATE_LIMIT_WINDOW_SECONDS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(MAX_QUOTA_WINDOW_SECONDS).optional()),
};

/** Tuning read by the token service and the embedded mode alike (same names, same defaults). */
export const tokenTuningEnvShape = {
  SESSION_TTL_SECONDS: env.int(defaultTokenServiceConfig.sessionTtlSeconds, 60).pipe(z.number().max(30 * 24 * 3600, 'must be at most 30 days')),
  LAST_USED_FLUSH_MS: env.int(defaultTokenServiceConfig.lastUsedFlushMs, 100),
  TOKEN_MAX_ACTIVE_PER_BUSINESS: env.int(defaultTokenServiceConfig.maxActiveTokensPerBusiness, 1).pipe(z.number().max(10_000, 'must be at most 10000')),
  TOKEN_EXPIRY_SWEEP_MS: env.int(defaultTokenServiceConfig.expirySweepMs, 100),
  TOKEN_KEYS_ANNOUNCE_MS: env.int(defaultTokenServiceConfig.keysAnnounceMs, 100),
  TOKEN_VALIDATION_CACHE_TTL_MS: env.int(defaultTokenServiceConfig.validationCacheTtlMs, 0).pipe(z.number().max(300_000, 'must be at most 300000 (5 minutes)')),
  TOKEN_VALIDATION_CACHE_MAX_ENTRIES: env.int(defaultTokenServiceConfig.validationCacheMaxEntries, 0).pipe(z.number().max(1_000_000, 'must be at most 1000000')),
};

/** The TokenServiceConfig fields the tuning variables set. */
export const tokenTuningFromEnv = (e: z.output<z.ZodObject<typeof tokenTuningEnvShape>>): Partial<TokenServiceConfig> => ({
  sessionTtlSeconds: e.SESSION_TTL_SECONDS,
  lastUsedFlushMs: e.LAST_USED_FLUSH_MS,
  maxActiveTokensPerBusiness: e.TOKEN_MAX_ACTIVE_PER_BUSINESS,
  expirySweepMs: e.TOKEN_EXPIRY_SWEEP_MS,
  keysAnnounceMs: e.TOKEN_KEYS_ANNOUNCE_MS,
  validationCacheTtlMs: e.TOKEN_VALIDATION_CACHE_TTL_MS,
  validationCacheMaxEntries: e.TOKEN_VALIDATION_CACHE_MAX_ENTRIES,
});

/** `ALERTS_ENABLED` and `ALERT_*`: the alert thresholds of every business that has not changed them (token service and embedded). */
export const alertEnvShape = {
  ALERTS_ENABLED: z.enum(['true', 'false']).default('true'),
  ALERT_INVALID_USE_MIN_ATTEMPTS: env.int(defaultAlertSettings.invalidUseMinAttempts),
  ALERT_RATE_SPIKE_FACTOR: z.coerce.number().min(1.5).max(1000).default(defaultAlertSettings.rateSpikeFactor),
  ALERT_RATE_SPIKE_MIN_CALLS: env.int(defaultAlertSettings.rateSpikeMinCalls),
  ALERT_BASELINE_MINUTES: env.int(defaultAlertSettings.baselineMinutes).pipe(z.number().max(1440, 'must be at most 1440')),
  ALERT_IP_SPREAD_FACTOR: z.coerce.number().min(1.5).max(1000).default(defaultAlertSettings.ipSpreadFactor),
  ALERT_IP_SPREAD_MIN_DISTINCT: env.int(defaultAlertSettings.ipSpreadMinDistinct),
  ALERT_IP_WINDOW_MINUTES: env.int(defaultAlertSettings.ipWindowMinutes).pipe(z.number().max(60, 'must be at most 60')),
  ALERT_UNAUTHORIZED_BURST_MIN: env.int(defaultAlertSettings.unauthorizedBurstMin),
  ALERT_INCIDENT_WINDOW_MINUTES: env.int(defaultAlertSettings.incidentWindowMinutes).pipe(z.number().max(1440, 'must be at most 1440')),
};

/** The environment of the mesh process (`main.ts`). Every problem is reported at once. */
export const tokenEnvSchema = z
  .object({
    NATS_URL: z.string({ error: 'is required' }).pipe(env.url(['nats', 'tls', 'ws', 'wss'])),
    MONGO_URL: z.string({ error: 'is required' }).pipe(env.url(['mongodb', 'mongodb+srv'])),
    DISPATCH_NAMESPACE: env.namespace(),
    TOKEN_DB_NAME: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
        .optional(),
    ),
    /** Comma-separated `kid:secret` (secret = base64url of >= 32 random bytes). Required: never generated in mesh mode. */
    TOKEN_SIGNING_KEYS: z.string({ error: 'is required (comma-separated kid:secret, secret = base64url of >= 32 random bytes)' }).superRefine((value, ctx) => {
      try {
        parseSigningKeys(value);
      } catch (err) {
        if (!(err instanceof KeyringError)) throw err;
        for (const problem of err.problems) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
    TOKEN_ACTIVE_KID: z.preprocess(blankToUndefined, z.string().optional()),
    ...tokenTuningEnvShape,
    ...planEnvShape,
    ...alertEnvShape,
    LOG_LEVEL: env.logLevel(),
    OPS_PORT: env.opsPort(),
  })
  .superRefine(
    (cfg, ctx) => {
      if (cfg.TOKEN_ACTIVE_KID === undefined) return;
      const kids = parseSigningKeys(cfg.TOKEN_SIGNING_KEYS).map((k) => k.kid);
      if (!kids.includes(cfg.TOKEN_ACTIVE_KID)) {
        ctx.addIssue({
          code: 'custom',
          path: ['TOKEN_ACTIVE_KID'],
          message: `"${cfg.TOKEN_ACTIVE_KID}" is not a kid in TOKEN_SIGNING_KEYS (${kids.join(', ')})`,
        });
      }
    },
    { when: (payload) => !payload.issues.some((i) => i.path?.[0] === 'TOKEN_SIGNING_KEYS' || i.path?.[0] === 'TOKEN_ACTIVE_KID') },
  );
export type TokenEnv = z.output<typeof tokenEnvSchema>;

/** Reads and checks the environment; throws ConfigError listing every problem. */
export function loadTokenEnv(source: NodeJS.ProcessEnv = process.env): TokenEnv {
  return loadConfig('token', tokenEnvSchema, source);
}

/**
 * The plan table, with the default plan's quota redefined by RATE_LIMIT_DEFAULT_LIMIT and/or
 * RATE_LIMIT_WINDOW_SECONDS when they are set (the quota every token had before plans existed).
 */
export function resolvePlanQuotas(
  defaultPlan: PlanName,
  limit: number | undefined,
  windowSeconds: number | undefined,
): Record<PlanName, Quota> {
  const base = planQuotas[defaultPlan];
  return { ...planQuotas, [defaultPlan]: { limit: limit ?? base.limit, windowSeconds: windowSeconds ?? base.windowSeconds } };
}

/** The alert defaults from the environment (`ALERTS_ENABLED`, `ALERT_*`). */
export const alertDefaultsFromEnv = (cfg: z.output<z.ZodObject<typeof alertEnvShape>>): AlertSettings => ({
  enabled: cfg.ALERTS_ENABLED === 'true',
  invalidUseMinAttempts: cfg.ALERT_INVALID_USE_MIN_ATTEMPTS,
  rateSpikeFactor: cfg.ALERT_RATE_SPIKE_FACTOR,
  rateSpikeMinCalls: cfg.ALERT_RATE_SPIKE_MIN_CALLS,
  baselineMinutes: cfg.ALERT_BASELINE_MINUTES,
  ipSpreadFactor: cfg.ALERT_IP_SPREAD_FACTOR,
  ipSpreadMinDistinct: cfg.ALERT_IP_SPREAD_MIN_DISTINCT,
  ipWindowMinutes: cfg.ALERT_IP_WINDOW_MINUTES,
  unauthorizedBurstMin: cfg.ALERT_UNAUTHORIZED_BURST_MIN,
  incidentWindowMinutes: cfg.ALERT_INCIDENT_WINDOW_MINUTES,
});

/** `<namespace>_token` unless TOKEN_DB_NAME overrides it. */
export const tokenDbName = (cfg: Pick<TokenEnv, 'DISPATCH_NAMESPACE' | 'TOKEN_DB_NAME'>): string =>
  cfg.TOKEN_DB_NAME ?? `${cfg.DISPATCH_NAMESPACE}_token`;
