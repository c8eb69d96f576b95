import { createClient } from 'redis';
import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, metrics, runMain, startOpsServer } from '@dispatch/runtime';
import { RateLimitEnv, toRateLimitConfig } from './config.js';
import { RedisLimiter } from './limiter/redis-limiter.js';
import { InfraAlerter } from './alerts/infra-alerter.js';
import { createRateLimitService } from './service.js';

const SERVICE = 'ratelimit';

await runMain(SERVICE, async () => {
  const config = toRateLimitConfig(loadConfig(SERVICE, RateLimitEnv));
  const logger = createLogger({ service: SERVICE, level: config.logLevel });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  metrics.collectDefaults(SERVICE);

  // /healthz, /readyz, /metrics from the start (not ready until NATS and Redis are connected); closed last.
  const live: { bus?: NatsBus; redisReady?: () => boolean } = {};
  const ops = await startOpsServer({
    port: config.opsPort,
    logger,
    checks: { nats: () => live.bus?.isConnected() ?? false, redis: () => live.redisReady?.() ?? false },
  });
  lifecycle.onStop('ops', () => ops.close());

  const bus = await connectNatsBus({ servers: config.natsUrl, namespace: config.namespace, logger, name: SERVICE });
  live.bus = bus;

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
  live.redisReady = () => redis.isReady;
  // Closers run in reverse: not ready → stop handlers → drain the bus (in-flight decisions finish) → close Redis → ops server.
  lifecycle.onStop('redis', async () => {
    if (redis.isOpen) await redis.close().catch(() => redis.destroy());
  });
  lifecycle.onStop('bus', () => bus.drain());

  const limiter = new RedisLimiter(redis, { prefix: config.keyPrefix });
  const alerter = new InfraAlerter(bus, logger, { windowMinutes: config.alertWindowMinutes });
  const service = createRateLimitService({ bus, logger, limiter, alerter });
  await service.start();
  lifecycle.onStop('service', () => service.stop());
  lifecycle.onStop('draining', () => ops.setDraining());

  logger.info({ namespace: config.namespace, keyPrefix: config.keyPrefix, opsPort: ops.port }, 'ready');
});
