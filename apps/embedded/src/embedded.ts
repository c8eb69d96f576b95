import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { accountProtectionFromEnv, startEdgeServer, type EdgeServer } from '@dispatch/edge';
import { createIdentityService, createMemoryIdentityStores } from '@dispatch/identity';
import { OutboxMailer, SmtpMailer, createNotificationService, type Mailer } from '@dispatch/notification';
import { startOrdersUpstream, type OrdersUpstream } from '@dispatch/orders-upstream';
import { MemoryLimiter, createRateLimitService } from '@dispatch/ratelimit';
import { createLogger, type Logger } from '@dispatch/runtime';
import {
  MemoryApiTokenRepository,
  MemorySessionRepository,
  alertDefaultsFromEnv,
  createTokenService,
  generateKeyring,
  resolvePlanQuotas,
  tokenTuningFromEnv,
} from '@dispatch/token';
import type { EmbeddedEnv } from './config.js';

export interface Embedded {
  edgeUrl: string;
  upstreamUrl: string;
  /** Where emails are written when no SMTP_URL is given. */
  outboxDir: string | undefined;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Every service in one process on in-memory adapters (bus, stores, limiter) — the same service
 * code as the mesh above the adapters. Tokens and accounts live as long as the process.
 */
export async function startEmbedded(env: EmbeddedEnv, logger = createLogger({ service: 'embedded', level: env.LOG_LEVEL })): Promise<Embedded> {
  const hub = new MemoryHub();
  const ns = env.DISPATCH_NAMESPACE;
  const busFor = (service: string) => new MemoryBus(hub, ns, logger.child({ component: service }));
  const stops: (() => Promise<void>)[] = [];

  let upstream: OrdersUpstream | undefined;
  let upstreamUrl = env.UPSTREAM_URL;
  if (!upstreamUrl) {
    upstream = await startOrdersUpstream(0);
    upstreamUrl = upstream.url;
    stops.push(() => upstream?.close() ?? Promise.resolve());
  }

  const identityBus = busFor('identity');
  const identity = createIdentityService({
    bus: identityBus,
    logger: logger.child({ component: 'identity' }),
    ...createMemoryIdentityStores(),
    config: {
      scrypt: { N: env.PASSWORD_SCRYPT_N, r: env.PASSWORD_SCRYPT_R, p: env.PASSWORD_SCRYPT_P },
      verificationTtlMs: env.VERIFICATION_TTL_HOURS * 3600_000,
      inviteTtlMs: env.INVITE_TTL_HOURS * 3600_000,
      passwordResetTtlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
    },
  });

  const planQuotas = resolvePlanQuotas(env.DEFAULT_PLAN, env.RATE_LIMIT_DEFAULT_LIMIT, env.RATE_LIMIT_WINDOW_SECONDS);
  const tokenBus = busFor('token');
  const token = createTokenService({
    bus: tokenBus,
    logger: logger.child({ component: 'token' }),
    apiTokens: new MemoryApiTokenRepository(),
    sessions: new MemorySessionRepository(),
    // Embedded only: a key per run (tokens live in memory, so they end with the process anyway).
    keyring: generateKeyring('embedded'),
    config: { ...tokenTuningFromEnv(env), defaultPlan: env.DEFAULT_PLAN, businessPlans: env.BUSINESS_PLANS, planQuotas, alertDefaults: alertDefaultsFromEnv(env) },
  });

  const ratelimitBus = busFor('ratelimit');
  const ratelimit = createRateLimitService({ bus: ratelimitBus, logger: logger.child({ component: 'ratelimit' }), limiter: new MemoryLimiter() });

  const outboxDir = env.SMTP_URL ? undefined : env.OUTBOX_DIR;
  const mailer: Mailer = env.SMTP_URL
    ? new SmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM })
    : new OutboxMailer({ dir: env.OUTBOX_DIR, from: env.MAIL_FROM, logger: logger.child({ component: 'outbox' }) });
  const notificationBus = busFor('notification');

  const edgeBus = busFor('edge');
  await identity.start();
  await token.start();
  await ratelimit.start();
  let edge: EdgeServer;
  try {
    edge = await startEdgeServer(
      {
        bus: edgeBus,
        logger: logger.child({ component: 'edge' }),
        config: {
          upstreamUrl,
          // Every principal carries its quota; this is only the fallback for one that does not.
          rateLimit: { ...planQuotas[env.DEFAULT_PLAN], failurePolicy: env.RATE_LIMIT_FAILURE_POLICY },
          bodyLimitBytes: env.BODY_LIMIT_BYTES,
          busTimeoutMs: env.BUS_TIMEOUT_MS,
          upstreamTimeoutMs: env.UPSTREAM_TIMEOUT_MS,
          proxyBodyLimitBytes: env.PROXY_BODY_LIMIT_BYTES,
          usageFlushMs: env.EDGE_USAGE_FLUSH_MS,
          keysRefreshMs: env.EDGE_KEYS_REFRESH_MS,
          ...(env.EDGE_PUBLIC_PREFIX ? { publicPrefix: env.EDGE_PUBLIC_PREFIX } : {}),
          accountProtection: accountProtectionFromEnv(env),
        },
      },
      env.EDGE_PORT,
      env.EDGE_HOST,
    );
  } catch (err) {
    await Promise.all([identity.stop(), token.stop(), ratelimit.stop()]);
    await upstream?.close();
    throw err;
  }
  const notification = createNotificationService({
    bus: notificationBus,
    logger: logger.child({ component: 'notification' }),
    mailer,
    // Delivery claims, webhooks and parked records in memory (the same interface as the mesh's JetStream KV).
    config: {
      publicUrl: env.PUBLIC_URL ?? edge.url,
      webhookMaxDeliver: env.NOTIFICATION_WEBHOOK_MAX_DELIVER,
      webhookTimeoutMs: env.NOTIFICATION_WEBHOOK_TIMEOUT_MS,
      webhookAllowPrivateTargets: env.NOTIFICATION_WEBHOOK_ALLOW_PRIVATE === 'true',
    },
  });
  await notification.start();

  stops.unshift(
    () => edge.close(),
    () => notification.stop(),
    () => ratelimit.stop(),
    () => token.stop(),
    () => identity.stop(),
    async () => {
      for (const bus of [edgeBus, notificationBus, ratelimitBus, tokenBus, identityBus]) await bus.drain();
    },
  );
  return {
    edgeUrl: edge.url,
    upstreamUrl,
    outboxDir,
    logger,
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}
