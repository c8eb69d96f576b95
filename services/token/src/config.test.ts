import { describe, expect, it } from 'vitest';
import { ConfigError } from '@dispatch/runtime';
import { defaultAlertSettings } from './alerts/settings.js';
import { alertDefaultsFromEnv, loadTokenEnv, resolveTokenServiceConfig, tokenDbName } from './config.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64url');
const base = {
  NATS_URL: 'nats://127.0.0.1:4222',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  TOKEN_SIGNING_KEYS: `k1:${key(1)},k2:${key(2)}`,
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadTokenEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('token environment', () => {
  it('applies the defaults', () => {
    const cfg = loadTokenEnv(base);
    expect(cfg).toEqual({
      ...base,
      DISPATCH_NAMESPACE: 'dispatch',
      TOKEN_DB_NAME: undefined,
      TOKEN_ACTIVE_KID: undefined,
      SESSION_TTL_SECONDS: 28800,
      LAST_USED_FLUSH_MS: 15000,
      TOKEN_MAX_ACTIVE_PER_BUSINESS: 50,
      TOKEN_EXPIRY_SWEEP_MS: 60000,
      TOKEN_KEYS_ANNOUNCE_MS: 60000,
      TOKEN_VALIDATION_CACHE_TTL_MS: 30000,
      TOKEN_VALIDATION_CACHE_MAX_ENTRIES: 10000,
      DEFAULT_PLAN: 'free',
      BUSINESS_PLANS: new Map(),
      RATE_LIMIT_DEFAULT_LIMIT: undefined,
      RATE_LIMIT_WINDOW_SECONDS: undefined,
      ALERTS_ENABLED: 'true',
      ALERT_INVALID_USE_MIN_ATTEMPTS: 1,
      ALERT_RATE_SPIKE_FACTOR: 10,
      ALERT_RATE_SPIKE_MIN_CALLS: 100,
      ALERT_BASELINE_MINUTES: 60,
      ALERT_IP_SPREAD_FACTOR: 3,
      ALERT_IP_SPREAD_MIN_DISTINCT: 10,
      ALERT_IP_WINDOW_MINUTES: 10,
      ALERT_UNAUTHORIZED_BURST_MIN: 50,
      ALERT_INCIDENT_WINDOW_MINUTES: 60,
      LOG_LEVEL: 'info',
      OPS_PORT: 9464,
    });
    expect(tokenDbName(cfg)).toBe('dispatch_token');
    expect(alertDefaultsFromEnv(cfg)).toEqual(defaultAlertSettings);
    expect(alertDefaultsFromEnv(loadTokenEnv({ ...base, ALERTS_ENABLED: 'false', ALERT_RATE_SPIKE_FACTOR: '4.5' }))).toMatchObject({ enabled: false, rateSpikeFactor: 4.5 });
    expect(() => loadTokenEnv({ ...base, ALERT_RATE_SPIKE_FACTOR: '1', ALERT_BASELINE_MINUTES: '2000' })).toThrow(/ALERT_RATE_SPIKE_FACTOR[\s\S]*ALERT_BASELINE_MINUTES|ALERT_BASELINE_MINUTES[\s\S]*ALERT_RATE_SPIKE_FACTOR/);
  });

  it('reads the plans: DEFAULT_PLAN, BUSINESS_PLANS pairs and the default plan quota; bad ones are listed', () => {
    const biz = 'biz_' + 'a'.repeat(26);
    const cfg = loadTokenEnv({ ...base, DEFAULT_PLAN: 'pro', BUSINESS_PLANS: ` ${biz}:enterprise `, RATE_LIMIT_DEFAULT_LIMIT: '500', RATE_LIMIT_WINDOW_SECONDS: '60' });
    expect([cfg.DEFAULT_PLAN, [...cfg.BUSINESS_PLANS], cfg.RATE_LIMIT_DEFAULT_LIMIT, cfg.RATE_LIMIT_WINDOW_SECONDS]).toEqual(['pro', [[biz, 'enterprise']], 500, 60]);
    let message = '';
    try {
      loadTokenEnv({ ...base, DEFAULT_PLAN: 'gold', BUSINESS_PLANS: 'acme:pro', RATE_LIMIT_DEFAULT_LIMIT: '0', RATE_LIMIT_WINDOW_SECONDS: '86401' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['DEFAULT_PLAN', 'BUSINESS_PLANS', 'RATE_LIMIT_DEFAULT_LIMIT', 'RATE_LIMIT_WINDOW_SECONDS']) expect(message).toContain(name);
  });

  it('reads every variable', () => {
    const cfg = loadTokenEnv({
      ...base,
      DISPATCH_NAMESPACE: 'prod-eu',
      TOKEN_DB_NAME: 'tokens',
      TOKEN_ACTIVE_KID: 'k2',
      SESSION_TTL_SECONDS: '3600',
      LAST_USED_FLUSH_MS: '5000',
      LOG_LEVEL: 'warn',
    });
    expect(cfg.TOKEN_ACTIVE_KID).toBe('k2');
    expect(cfg.SESSION_TTL_SECONDS).toBe(3600);
    expect(cfg.LAST_USED_FLUSH_MS).toBe(5000);
    expect(tokenDbName(cfg)).toBe('tokens');
    expect(tokenDbName({ DISPATCH_NAMESPACE: 'prod-eu', TOKEN_DB_NAME: undefined })).toBe('prod-eu_token');
  });

  it('requires the signing keys (never generates one) and lists every problem at once', () => {
    expect(problemsOf({ MONGO_URL: 'http://x', SESSION_TTL_SECONDS: 'soon' })).toEqual([
      'NATS_URL: is required',
      'MONGO_URL: must be a URL (mongodb, mongodb+srv)',
      'TOKEN_SIGNING_KEYS: is required (comma-separated kid:secret, secret = base64url of >= 32 random bytes)',
      'SESSION_TTL_SECONDS: Invalid input: expected number, received NaN',
    ]);
  });

  it('reports bad key entries and an unknown active kid', () => {
    expect(problemsOf({ ...base, TOKEN_SIGNING_KEYS: `k1:${key(1)},k2:short` })).toEqual([
      'TOKEN_SIGNING_KEYS: entry 2 (kid "k2"): secret is 3 bytes, at least 32 are required',
    ]);
    expect(problemsOf({ ...base, TOKEN_ACTIVE_KID: 'k3', NATS_URL: 'nope' })).toEqual([
      'NATS_URL: must be a URL (nats, tls, ws, wss)',
      'TOKEN_ACTIVE_KID: "k3" is not a kid in TOKEN_SIGNING_KEYS (k1, k2)',
    ]);
  });
});

describe('service config', () => {
  it('fills defaults', () => {
    const cfg = resolveTokenServiceConfig({ instance: 'i1' });
    expect(cfg).toEqual({
      sessionTtlSeconds: 28800,
      lastUsedFlushMs: 15000,
      sessionPurgeIntervalMs: 3_600_000,
      maxActiveTokensPerBusiness: 50,
      expirySweepMs: 60_000,
      keysAnnounceMs: 60_000,
      identityTimeoutMs: 2000,
      validationCacheTtlMs: 30_000,
      validationCacheMaxEntries: 10_000,
      defaultPlan: 'free',
      businessPlans: new Map(),
      planQuotas: { free: { limit: 1000, windowSeconds: 3600 }, pro: { limit: 10_000, windowSeconds: 3600 }, enterprise: { limit: 100_000, windowSeconds: 3600 } },
      alertDefaults: defaultAlertSettings,
      instance: 'i1',
    });
    expect(resolveTokenServiceConfig().instance).toMatch(/-\d+-[0-9a-f]{6}$/);
  });
});
