import type { DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { Mailer } from '../mail/mailer.js';
import { renderEventMail, type TemplateContext } from '../templates/index.js';

/**
 * The ids of events whose mail was sent by this process: a redelivery after a successful send
 * (ack lost, consumer restarted inside ack-wait, …) is recognised and not sent again.
 * Bounded: the oldest ids are forgotten first.
 */
export class SentLog {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 50_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done) break;
      this.ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}

/** The Message-ID of an event's mail: the same event always yields the same Message-ID. */
export const messageIdFor = (eventId: string, domain: string): string => `<${eventId}@${domain}>`;

export type SendOutcome = 'sent' | 'duplicate' | 'no-mail';

export interface EventMailSenderDeps {
  mailer: Mailer;
  templates: TemplateContext;
  sentLog: SentLog;
  /** Right-hand side of Message-IDs, e.g. `dispatch.localhost`. */
  messageIdDomain: string;
}

/** Renders and sends the mail of one event, at most once per event id in this process. */
export function createEventMailSender(deps: EventMailSenderDeps): (event: DomainEvent, logger: Logger) => Promise<SendOutcome> {
  const inFlight = new Map<string, Promise<SendOutcome>>();

  const sendOnce = async (event: DomainEvent, logger: Logger): Promise<SendOutcome> => {
    const mail = renderEventMail(event, deps.templates);
    if (!mail) return 'no-mail';
    await deps.mailer.send({ ...mail, messageId: messageIdFor(event.id, deps.messageIdDomain) });
    deps.sentLog.add(event.id);
    logger.info('mail sent'); // the consumer's logger already carries eventId and eventType
    return 'sent';
  };

  return async (event, logger) => {
    if (deps.sentLog.has(event.id)) {
      logger.info('mail already sent for this event, skipping');
      return 'duplicate';
    }
    // Two deliveries of one event at once (redelivery while the first is still sending) share one send.
    const pending = inFlight.get(event.id);
    if (pending) {
      await pending;
      return 'duplicate';
    }
    const p = sendOnce(event, logger);
    inFlight.set(event.id, p);
    try {
      return await p;
    } finally {
      inFlight.delete(event.id);
    }
  };
}
