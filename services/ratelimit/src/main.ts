import { createClient } from 'redis';
import { connectNatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, runMain } from '@dispatch/runtime';
import { RateLimitEnv, toRateLimitConfig } from './config.js';
import { RedisLimiter } from './limiter/redis-limiter.js';
import { createRateLimitService } from './service.js';

const SERVICE = 'ratelimit';

await runMain(SERVICE, async () => {
  const config = toRateLimitConfig(loadConfig(SERVICE, RateLimitEnv));
  const logger = createLogger({ service: SERVICE, level: config.logLevel });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();

  const bus = await connectNatsBus({ servers: config.natsUrl, namespace: config.namespace, logger, name: SERVICE });

  const redis = createClient({
    url: config.redisUrl,
    // Fail fast while Redis is away (the edge applies its fail-open/closed policy) …
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      // … and keep trying to come back, forever, with a capped backoff.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 5), 3_000),
    },
  });
  // Without an 'error' listener a lost connection would crash the process.
  let redisDown = false;
  redis.on('error', (err: Error) => {
    if (!redisDown) logger.warn({ err: { message: err.message } }, 'redis connection error');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis reconnected');
    redisDown = false;
  });
  await redis.connect();
  // Closers run in reverse: stop handlers → drain the bus (in-flight decisions finish) → close Redis.
  lifecycle.onStop('redis', async () => {
    if (redis.isOpen) await redis.close().catch(() => redis.destroy());
  });
  lifecycle.onStop('bus', () => bus.drain());

  const limiter = new RedisLimiter(redis, { prefix: config.keyPrefix });
  const service = createRateLimitService({ bus, logger, limiter });
  await service.start();
  lifecycle.onStop('service', () => service.stop());

  logger.info({ namespace: config.namespace, keyPrefix: config.keyPrefix }, 'ready');
});
