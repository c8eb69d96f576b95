import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@dispatch/runtime';
import { RateLimitEnv, toRateLimitConfig } from './config.js';

const load = (env: NodeJS.ProcessEnv) => toRateLimitConfig(loadConfig('ratelimit', RateLimitEnv, env));

describe('ratelimit config', () => {
  it('defaults the namespace and derives the key prefix from it', () => {
    expect(load({ NATS_URL: 'nats://127.0.0.1:4222', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      redisUrl: 'redis://127.0.0.1:6379',
      namespace: 'dispatch',
      keyPrefix: 'dispatch:rl',
      alertWindowMinutes: 60,
      logLevel: 'info',
      opsPort: 9464,
    });
    expect(load({ NATS_URL: 'nats://n', REDIS_URL: 'rediss://r', DISPATCH_NAMESPACE: 'staging' }).keyPrefix).toBe('staging:rl');
    expect(load({ NATS_URL: 'nats://n', REDIS_URL: 'redis://r', RATELIMIT_KEY_PREFIX: 'custom' }).keyPrefix).toBe('custom');
    expect(load({ NATS_URL: 'nats://n', REDIS_URL: 'redis://r', RATELIMIT_ALERT_WINDOW_MINUTES: '15' }).alertWindowMinutes).toBe(15);
    expect(() => load({ NATS_URL: 'nats://n', REDIS_URL: 'redis://r', RATELIMIT_ALERT_WINDOW_MINUTES: '0' })).toThrow(ConfigError);
  });

  it('requires NATS_URL and REDIS_URL, and ignores unrelated *_FILE variables', () => {
    expect(() => load({})).toThrow(ConfigError);
    expect(() => load({ NATS_URL: 'nats://n', REDIS_URL: 'http://r' })).toThrow(ConfigError);
    expect(load({ NATS_URL: 'nats://n', REDIS_URL: 'redis://r', TF_CLI_CONFIG_FILE: '/nonexistent' }).redisUrl).toBe('redis://r');
  });
});
