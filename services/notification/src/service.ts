import { hostname } from 'node:os';
import type { Bus, Subscription } from '@dispatch/bus';
import { errors, type DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import { DeliveryLog, type Channel } from './delivery/delivery-log.js';
import { ParkedLog } from './delivery/parked-log.js';
import type { Mailer } from './mail/mailer.js';
import type { KvStore } from './store/kv-store.js';
import { MemoryKvStore } from './store/memory-kv-store.js';
import { mailedEventTypes } from './templates/index.js';
import { createEventMailSender } from './use-cases/send-event-mail.js';
import { createWebhookDeliverer } from './webhooks/deliver-webhook.js';
import { webhookTargetProblem } from './webhooks/target-policy.js';
import { WebhookRegistry } from './webhooks/webhook-registry.js';

export interface NotificationConfig {
  /** Base URL of links in mails, e.g. `https://dispatch.example.com`. */
  publicUrl: string;
  /** Deliveries of one event's mail before it is parked (default 5). */
  maxDeliver?: number;
  /** Deliveries of one alert to its webhook before it is parked (default 8: backoff 0.25 s … 16 s). */
  webhookMaxDeliver?: number;
  /** Milliseconds one webhook POST may take (default 10 000). */
  webhookTimeoutMs?: number;
  /** Whether alert webhooks may target private, loopback or link-local addresses (default false: SSRF guard). */
  webhookAllowPrivateTargets?: boolean;
  /** Milliseconds after which a claim left `sending` (crashed instance) may be taken over (default 120 000). */
  claimStaleMs?: number;
  /** Milliseconds before an unacknowledged delivery is redelivered (bus default when omitted). */
  ackWaitMs?: number;
  /** Durable consumer name of the mails (default `notification`; webhooks use `<name>-webhooks`). */
  durableName?: string;
  /** Right-hand side of Message-IDs (default `dispatch.localhost`). */
  messageIdDomain?: string;
}

export interface NotificationServiceDeps {
  bus: Bus;
  logger: Logger;
  mailer: Mailer;
  config: NotificationConfig;
  /** Instance name reported by `notification.ping` (default `<hostname>-<pid>`). */
  instance?: string;
  /** Called after an event was parked (metrics, alerting, tests). */
  onParked?: (event: DomainEvent, error: unknown, channel: Channel) => void | Promise<void>;
  /**
   * Delivery claims, webhooks and parked records: a JetStream KV bucket in the mesh (durable,
   * shared by every instance); defaults to one in-memory store per process (embedded mode).
   */
  store?: KvStore;
  /** Alert webhooks (signing secrets as-is): a KV bucket without expiry in the mesh; defaults to `store`. */
  webhookStore?: KvStore;
}

export interface NotificationService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One store per process: a service re-created in the same process (embedded restarts) still knows what it sent. */
const processStore = new MemoryKvStore();

const errorSummary = (err: unknown): { message: string; code?: string } => {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
};

/**
 * Durable consumers of domain events (at-least-once from JetStream) → emails, and alert
 * events → signed webhooks. Sends are idempotent by event id across restarts and instances
 * (a durable claim per event and channel, plus a stable Message-ID per event). A delivery
 * that keeps failing is parked after its bounded attempts, recorded and counted.
 */
export function createNotificationService(deps: NotificationServiceDeps): NotificationService {
  const { bus, logger, mailer, config } = deps;
  const instance = deps.instance ?? `${hostname()}-${process.pid}`;
  const maxDeliver = config.maxDeliver ?? 5;
  const webhookMaxDeliver = config.webhookMaxDeliver ?? 8;
  const store = deps.store ?? processStore;
  const deliveries = new DeliveryLog(store, config.claimStaleMs ?? 120_000);
  const parked = new ParkedLog(store);
  const webhooks = new WebhookRegistry(deps.webhookStore ?? store);
  const send = createEventMailSender({
    mailer,
    templates: { publicUrl: config.publicUrl },
    deliveries,
    messageIdDomain: config.messageIdDomain ?? 'dispatch.localhost',
  });
  const allowPrivateTargets = config.webhookAllowPrivateTargets ?? false;
  const deliverWebhook = createWebhookDeliverer({ webhooks, deliveries, timeoutMs: config.webhookTimeoutMs ?? 10_000, allowPrivateTargets });
  const registerWebhook = async (businessId: string, url: string) => {
    const problem = await webhookTargetProblem(url, allowPrivateTargets);
    if (problem) throw errors.validation('Request body is invalid', { fields: { url: problem } });
    return webhooks.register(businessId, url);
  };
  const durable = config.durableName ?? 'notification';
  let subscriptions: Subscription[] = [];
  let consumers: Subscription[] = [];

  const onParked = (channel: Channel, attempts: number) => async (event: DomainEvent, error: unknown): Promise<void> => {
    // Never the payload: it holds tokens.
    logger.error(
      { eventId: event.id, eventType: event.type, channel, attempts, error: errorSummary(error) },
      channel === 'mail' ? 'notification parked: mail could not be sent' : 'notification parked: webhook could not be delivered',
    );
    await parked.park(channel, event, attempts, error);
    await deps.onParked?.(event, error, channel);
  };

  const retrying = (channel: Channel, max: number, run: (event: DomainEvent, log: Logger) => Promise<unknown>) =>
    async (event: DomainEvent, ctx: { requestId: string; logger: Logger; attempt: number }): Promise<void> => {
      try {
        // The request that caused the event (edge X-Request-Id), so one id traces it to the delivery.
        await run(event, ctx.logger.child({ requestId: ctx.requestId }));
      } catch (err) {
        if (ctx.attempt < max) ctx.logger.warn({ channel, error: errorSummary(err) }, `${channel} not sent, will retry`);
        throw err;
      }
    };

  return {
    async start() {
      if (consumers.length > 0) return;
      subscriptions = [
        bus.serve('notification.ping', async () => ({
          service: 'notification',
          instance,
          ready: bus.isConnected() && consumers.length > 0,
        })),
        bus.serve('notification.putWebhook', (req) => registerWebhook(req.businessId, req.url)),
        bus.serve('notification.getWebhook', async (req) => ({ webhook: await webhooks.info(req.businessId) })),
        bus.serve('notification.deleteWebhook', async (req) => ({ deleted: await webhooks.remove(req.businessId) })),
        bus.serve('notification.listParked', async () => ({ parked: await parked.list() })),
      ];
      const ackWait = config.ackWaitMs !== undefined ? { ackWaitMs: config.ackWaitMs } : {};
      consumers = [
        await bus.consume(durable, retrying('mail', maxDeliver, send), {
          types: mailedEventTypes,
          maxDeliver,
          onParked: onParked('mail', maxDeliver),
          ...ackWait,
        }),
        await bus.consume(`${durable}-webhooks`, retrying('webhook', webhookMaxDeliver, deliverWebhook), {
          types: ['alert.raised'],
          maxDeliver: webhookMaxDeliver,
          onParked: onParked('webhook', webhookMaxDeliver),
          ...ackWait,
        }),
      ];
      logger.debug({ instance, maxDeliver, webhookMaxDeliver }, 'notification consumers started');
    },
    async stop() {
      const cs = consumers;
      const subs = subscriptions;
      consumers = [];
      subscriptions = [];
      for (const c of cs) await c.stop();
      for (const s of subs) await s.stop();
    },
  };
}
