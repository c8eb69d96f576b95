import type { DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { DeliveryLog } from '../delivery/delivery-log.js';
import type { Mailer } from '../mail/mailer.js';
import { renderEventMail, type TemplateContext } from '../templates/index.js';

/** The Message-ID of an event's mail: the same event always yields the same Message-ID. */
export const messageIdFor = (eventId: string, domain: string): string => `<${eventId}@${domain}>`;

export type SendOutcome = 'sent' | 'duplicate' | 'no-mail';

/** Another delivery (this or another instance) is sending this event's mail right now: retry later. */
export class DeliveryBusyError extends Error {
  constructor(eventId: string) {
    super(`mail of event ${eventId} is being sent by another delivery`);
    this.name = 'DeliveryBusyError';
  }
}

export interface EventMailSenderDeps {
  mailer: Mailer;
  templates: TemplateContext;
  /** Durable claims by event id (JetStream KV in the mesh, memory in embedded mode). */
  deliveries: DeliveryLog;
  /** Right-hand side of Message-IDs, e.g. `dispatch.localhost`. */
  messageIdDomain: string;
}

/** Renders and sends the mail of one event, at most once per event id across restarts and instances. */
export function createEventMailSender(deps: EventMailSenderDeps): (event: DomainEvent, logger: Logger) => Promise<SendOutcome> {
  return async (event, logger) => {
    const mail = renderEventMail(event, deps.templates);
    if (!mail) return 'no-mail';
    const claim = await deps.deliveries.claim('mail', event.id);
    if (claim === 'done') {
      logger.info('mail already sent for this event, skipping');
      return 'duplicate';
    }
    if (claim === 'busy') throw new DeliveryBusyError(event.id);
    try {
      await deps.mailer.send({ ...mail, messageId: messageIdFor(event.id, deps.messageIdDomain) });
    } catch (err) {
      await deps.deliveries.release('mail', event.id).catch((e: unknown) => logger.warn({ err: e }, 'mail claim not released'));
      throw err;
    }
    await deps.deliveries.markSent('mail', event.id);
    logger.info('mail sent'); // the consumer's logger already carries eventId and eventType
    return 'sent';
  };
}
