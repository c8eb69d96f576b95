import { ConfigError, loadConfig } from '@dispatch/runtime';
import { describe, expect, it } from 'vitest';
import { identityEnvSchema, identityEnvironment, resolveIdentityConfig, settingsFromEnv } from './config.js';

const base = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017' };
const load = (env: NodeJS.ProcessEnv) => settingsFromEnv(loadConfig('identity', identityEnvSchema, identityEnvironment(env)));

describe('identity config', () => {
  it('applies the defaults', () => {
    expect(load(base)).toEqual({
      natsUrl: base.NATS_URL,
      mongoUrl: base.MONGO_URL,
      namespace: 'dispatch',
      dbName: 'dispatch_identity',
      logLevel: 'info',
      opsPort: 9464,
      identity: {
        instance: expect.stringMatching(/^identity-/),
        scrypt: { N: 16384, r: 8, p: 1, keylen: 64, saltBytes: 16 },
        verificationTtlMs: 24 * 3600_000,
        inviteTtlMs: 168 * 3600_000,
        passwordResetTtlMs: 3600_000,
      },
    });
  });

  it('derives the database from the namespace unless IDENTITY_DB_NAME is set', () => {
    expect(load({ ...base, DISPATCH_NAMESPACE: 'staging' }).dbName).toBe('staging_identity');
    expect(load({ ...base, DISPATCH_NAMESPACE: 'staging', IDENTITY_DB_NAME: 'idp' }).dbName).toBe('idp');
  });

  it('reads scrypt parameters and token lifetimes', () => {
    const s = load({ ...base, PASSWORD_SCRYPT_N: '32768', PASSWORD_SCRYPT_R: '16', PASSWORD_SCRYPT_P: '2', VERIFICATION_TTL_HOURS: '2', INVITE_TTL_HOURS: '48', PASSWORD_RESET_TTL_MINUTES: '15' });
    expect(s.identity.scrypt).toMatchObject({ N: 32768, r: 16, p: 2 });
    expect(s.identity.verificationTtlMs).toBe(2 * 3600_000);
    expect(s.identity.inviteTtlMs).toBe(48 * 3600_000);
    expect(s.identity.passwordResetTtlMs).toBe(15 * 60_000);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      load({ MONGO_URL: 'http://nope', PASSWORD_SCRYPT_N: '1000', INVITE_TTL_HOURS: '0', DISPATCH_NAMESPACE: 'bad ns' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DISPATCH_NAMESPACE', 'INVITE_TTL_HOURS', 'MONGO_URL', 'NATS_URL', 'PASSWORD_SCRYPT_N'].sort(),
    );
  });

  it('ignores unrelated *_FILE variables', () => {
    expect(() => load({ ...base, TF_CLI_CONFIG_FILE: '/nonexistent/file' })).not.toThrow();
    expect(identityEnvironment({ ...base, HOME: '/root', MONGO_URL_FILE: '/run/secrets/m' })).toEqual({
      ...base,
      MONGO_URL_FILE: '/run/secrets/m',
    });
  });

  it('rejects invalid programmatic settings', () => {
    expect(() => resolveIdentityConfig({ scrypt: { N: 3 } })).toThrow(/power of two/);
    expect(() => resolveIdentityConfig({ inviteTtlMs: 0 })).toThrow(/positive/);
    expect(() => resolveIdentityConfig({ passwordResetTtlMs: -1 })).toThrow(/positive/);
  });
});
