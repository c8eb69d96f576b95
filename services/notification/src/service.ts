import { hostname } from 'node:os';
import type { Bus, Subscription } from '@dispatch/bus';
import type { DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { Mailer } from './mail/mailer.js';
import { mailedEventTypes } from './templates/index.js';
import { SentLog, createEventMailSender } from './use-cases/send-event-mail.js';

export interface NotificationConfig {
  /** Base URL of links in mails, e.g. `https://dispatch.example.com`. */
  publicUrl: string;
  /** Deliveries of one event before it is parked (default 5). */
  maxDeliver?: number;
  /** Milliseconds before an unacknowledged delivery is redelivered (bus default when omitted). */
  ackWaitMs?: number;
  /** Durable consumer name (default `notification`). */
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
  onParked?: (event: DomainEvent, error: unknown) => void | Promise<void>;
  /** Ids of events already mailed; defaults to the one record of this process. */
  sentLog?: SentLog;
}

export interface NotificationService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One record per process: a service re-created in the same process (embedded restarts) still knows what it sent. */
const processSentLog = new SentLog();

const errorSummary = (err: unknown): { message: string; code?: string } => {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
};

/**
 * Durable consumer of domain events (at-least-once from JetStream) → emails.
 * Sends are idempotent by event id: a stable Message-ID per event, and an in-process record
 * of the events already mailed. A mail that keeps failing is parked after `maxDeliver` attempts.
 */
export function createNotificationService(deps: NotificationServiceDeps): NotificationService {
  const { bus, logger, mailer, config } = deps;
  const instance = deps.instance ?? `${hostname()}-${process.pid}`;
  const maxDeliver = config.maxDeliver ?? 5;
  const send = createEventMailSender({
    mailer,
    templates: { publicUrl: config.publicUrl },
    sentLog: deps.sentLog ?? processSentLog,
    messageIdDomain: config.messageIdDomain ?? 'dispatch.localhost',
  });
  let ping: Subscription | undefined;
  let consumer: Subscription | undefined;

  const onParked = async (event: DomainEvent, error: unknown): Promise<void> => {
    // Never the payload: it holds tokens.
    logger.error(
      { eventId: event.id, eventType: event.type, attempts: maxDeliver, error: errorSummary(error) },
      'notification parked: mail could not be sent',
    );
    await deps.onParked?.(event, error);
  };

  return {
    async start() {
      if (consumer) return;
      ping ??= bus.serve('notification.ping', async () => ({
        service: 'notification',
        instance,
        ready: bus.isConnected() && consumer !== undefined,
      }));
      consumer = await bus.consume(
        config.durableName ?? 'notification',
        async (event, ctx) => {
          try {
            // The request that caused the event (edge X-Request-Id), so one id traces it to the mail.
            await send(event, ctx.logger.child({ requestId: ctx.requestId }));
          } catch (err) {
            if (ctx.attempt < maxDeliver) {
              ctx.logger.warn({ error: errorSummary(err) }, 'mail not sent, will retry');
            }
            throw err;
          }
        },
        {
          types: mailedEventTypes,
          maxDeliver,
          onParked,
          ...(config.ackWaitMs !== undefined ? { ackWaitMs: config.ackWaitMs } : {}),
        },
      );
      logger.debug({ instance, maxDeliver }, 'notification consumer started');
    },
    async stop() {
      const c = consumer;
      const p = ping;
      consumer = undefined;
      ping = undefined;
      await c?.stop();
      await p?.stop();
    },
  };
}
