import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '@dispatch/contracts';
import { createLogger, newId } from '@dispatch/runtime';
import type { Mailer, OutgoingMail } from '../mail/mailer.js';
import { DeliveryLog } from '../delivery/delivery-log.js';
import { MemoryKvStore } from '../store/memory-kv-store.js';
import { DeliveryBusyError, createEventMailSender, messageIdFor } from './send-event-mail.js';

const logger = createLogger({ service: 'test', level: 'silent' });

const registeredEvent = (): DomainEvent => ({
  id: newId('evt'),
  type: 'user.registered',
  version: 1,
  occurredAt: new Date().toISOString(),
  data: {
    userId: newId('usr'),
    businessId: newId('biz'),
    email: 'ada@example.com',
    firstName: 'Ada',
    verificationToken: 'vt_1',
    verificationExpiresAt: new Date().toISOString(),
  },
});

class ListMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  failures = 0;
  delayMs = 0;
  async send(mail: OutgoingMail): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('smtp down');
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.sent.push(mail);
  }
}

const setup = () => {
  const mailer = new ListMailer();
  const send = createEventMailSender({
    mailer,
    templates: { publicUrl: 'http://p' },
    deliveries: new DeliveryLog(new MemoryKvStore(), 60_000),
    messageIdDomain: 'dispatch.test',
  });
  return { mailer, send };
};

describe('send event mail', () => {
  it('sends once per event id, with a Message-ID derived from the event id', async () => {
    const { mailer, send } = setup();
    const event = registeredEvent();
    expect(await send(event, logger)).toBe('sent');
    expect(await send(event, logger)).toBe('duplicate');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.messageId).toBe(`<${event.id}@dispatch.test>`);
    expect(messageIdFor(event.id, 'd')).toBe(`<${event.id}@d>`);
  });

  it('a second delivery while the first is sending is told to retry later (busy), then sees it done', async () => {
    const { mailer, send } = setup();
    mailer.delayMs = 50;
    const event = registeredEvent();
    const outcomes = await Promise.allSettled([send(event, logger), send(event, logger)]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'sent' });
    expect(outcomes[1]?.status === 'rejected' && outcomes[1].reason instanceof DeliveryBusyError).toBe(true);
    expect(await send(event, logger)).toBe('duplicate');
    expect(mailer.sent).toHaveLength(1);
  });

  it('a failed send is not recorded, so the retry sends', async () => {
    const { mailer, send } = setup();
    mailer.failures = 1;
    const event = registeredEvent();
    await expect(send(event, logger)).rejects.toThrow('smtp down');
    expect(await send(event, logger)).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('events without a template send nothing', async () => {
    const { mailer, send } = setup();
    const event: DomainEvent = {
      id: newId('evt'),
      type: 'user.verified',
      version: 1,
      occurredAt: new Date().toISOString(),
      data: { userId: newId('usr'), email: 'ada@example.com' },
    };
    expect(await send(event, logger)).toBe('no-mail');
    expect(mailer.sent).toHaveLength(0);
  });

  it('a claim left sending by a crashed instance is taken over once stale', async () => {
    let now = 1_000_000;
    const kv = new MemoryKvStore();
    const crashed = new DeliveryLog(kv, 60_000, () => now);
    const event = registeredEvent();
    expect(await crashed.claim('mail', event.id)).toBe('claimed');
    const other = new DeliveryLog(kv, 60_000, () => now);
    expect(await other.claim('mail', event.id)).toBe('busy');
    now += 60_001;
    expect(await other.claim('mail', event.id)).toBe('claimed');
    await other.markSent('mail', event.id);
    expect(await crashed.claim('mail', event.id)).toBe('done');
  });
});
