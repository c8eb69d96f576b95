import type { DomainEvent, ParkedNotification } from '@dispatch/contracts';
import { metrics } from '@dispatch/runtime';
import type { KvStore } from '../store/kv-store.js';
import type { Channel } from './delivery-log.js';

/**
 * Notifications given up after their bounded attempts: one record per channel and event
 * (`parked.<channel>.<eventId>`, never the payload: it may hold tokens), counted in
 * `dispatch_notifications_parked_total`, listed by `notification.listParked`.
 */
export class ParkedLog {
  constructor(
    private readonly kv: KvStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async park(channel: Channel, event: DomainEvent, attempts: number, error: unknown): Promise<void> {
    metrics.notificationsParked.inc({ channel, type: event.type });
    const record: ParkedNotification = {
      eventId: event.id,
      eventType: event.type,
      channel,
      attempts,
      error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      parkedAt: this.now().toISOString(),
    };
    await this.kv.put(`parked.${channel}.${event.id}`, JSON.stringify(record));
  }

  async list(): Promise<ParkedNotification[]> {
    const out: ParkedNotification[] = [];
    for (const key of await this.kv.keys('parked')) {
      const entry = await this.kv.get(key);
      if (entry) out.push(JSON.parse(entry.value) as ParkedNotification);
    }
    return out.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt));
  }
}
