import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, metrics, runMain, startOpsServer } from '@dispatch/runtime';
import { NotificationEnv, mailDomain } from './config.js';
import type { Mailer } from './mail/mailer.js';
import { OutboxMailer } from './mail/outbox-mailer.js';
import { SmtpMailer } from './mail/smtp-mailer.js';
import { createNotificationService } from './service.js';
import { JetStreamKvStore, webhookBucketName } from './store/jetstream-kv-store.js';

const SERVICE = 'notification';

await runMain(SERVICE, async () => {
  const env = loadConfig(SERVICE, NotificationEnv);
  const logger = createLogger({ service: SERVICE, level: env.LOG_LEVEL });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  metrics.collectDefaults(SERVICE);

  // /healthz, /readyz, /metrics from the start (ready once NATS is connected; SMTP is retried per mail); closed last.
  const live: { bus?: NatsBus } = {};
  const ops = await startOpsServer({ port: env.OPS_PORT, logger, checks: { nats: () => live.bus?.isConnected() ?? false } });
  lifecycle.onStop('ops', () => ops.close());

  let mailer: Mailer;
  if (env.SMTP_URL) {
    mailer = new SmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM });
    logger.info({ smtpHost: new URL(env.SMTP_URL).host }, 'sending mail over SMTP');
  } else {
    const outbox = new OutboxMailer({ dir: env.OUTBOX_DIR, from: env.MAIL_FROM, logger });
    mailer = outbox;
    logger.info({ outbox: outbox.dir }, 'no SMTP_URL: writing mails to the outbox folder');
  }
  lifecycle.onStop('mailer', () => mailer.close?.());

  const bus = await connectNatsBus({ servers: env.NATS_URL, namespace: env.DISPATCH_NAMESPACE, logger, name: SERVICE });
  live.bus = bus;
  lifecycle.onStop('bus', () => bus.drain());

  // Delivery claims (exactly-once mails across restarts and instances), webhooks, parked records.
  const store = await JetStreamKvStore.open(bus.nc, env.DISPATCH_NAMESPACE, { ttlMs: env.NOTIFICATION_STORE_TTL_HOURS * 3600_000 });
  // Webhooks (with their signing secrets) never expire: a bucket of their own.
  const webhookStore = await JetStreamKvStore.open(bus.nc, env.DISPATCH_NAMESPACE, { ttlMs: 0, bucket: webhookBucketName(env.DISPATCH_NAMESPACE) });

  const service = createNotificationService({
    bus,
    logger,
    mailer,
    store,
    webhookStore,
    config: {
      publicUrl: env.PUBLIC_URL,
      maxDeliver: env.NOTIFICATION_MAX_DELIVER,
      webhookMaxDeliver: env.NOTIFICATION_WEBHOOK_MAX_DELIVER,
      webhookTimeoutMs: env.NOTIFICATION_WEBHOOK_TIMEOUT_MS,
      webhookAllowPrivateTargets: env.NOTIFICATION_WEBHOOK_ALLOW_PRIVATE === 'true',
      messageIdDomain: mailDomain(env.MAIL_FROM),
    },
  });
  await service.start();
  // Closers run in reverse: not ready → stop the consumer (in-flight mail finishes) → drain the bus → close SMTP → ops server.
  lifecycle.onStop('service', () => service.stop());
  lifecycle.onStop('draining', () => ops.setDraining());

  logger.info({ namespace: env.DISPATCH_NAMESPACE, mail: env.SMTP_URL ? 'smtp' : 'outbox', opsPort: ops.port }, 'ready');
});
