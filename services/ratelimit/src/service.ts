import { hostname } from 'node:os';
import type { Bus, Subscription } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import type { RateLimiter } from './limiter/limiter.js';
import { InfraAlerter } from './alerts/infra-alerter.js';
import { consumeQuota } from './use-cases/consume.js';

export interface RateLimitServiceDeps {
  bus: Bus;
  logger: Logger;
  limiter: RateLimiter;
  /** Instance name reported by `ratelimit.ping` (default `<hostname>-<pid>`). */
  instance?: string;
  /** Raises `infra.redis_unavailable` on store failures (default: one per 60-minute window, on this bus). */
  alerter?: InfraAlerter;
}

export interface RateLimitService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRateLimitService(deps: RateLimitServiceDeps): RateLimitService {
  const { bus, logger, limiter } = deps;
  const instance = deps.instance ?? `${hostname()}-${process.pid}`;
  let subscriptions: Subscription[] = [];
  const alerter = deps.alerter ?? new InfraAlerter(bus, logger);
  // Fire and forget: the decision (SERVICE_UNAVAILABLE → the edge's failure policy) never waits for the alert.
  const onStoreFailure = (reason: string) => void alerter.redisUnavailable(reason);

  return {
    async start() {
      if (subscriptions.length > 0) return;
      subscriptions = [
        bus.serve('ratelimit.consume', (request, ctx) => consumeQuota(limiter, request, ctx.logger, onStoreFailure)),
        bus.serve('ratelimit.ping', async () => ({ service: 'ratelimit', instance, ready: limiter.isReady() })),
      ];
      logger.debug({ instance }, 'ratelimit handlers registered');
    },
    async stop() {
      const subs = subscriptions;
      subscriptions = [];
      await Promise.all(subs.map((s) => s.stop()));
    },
  };
}
