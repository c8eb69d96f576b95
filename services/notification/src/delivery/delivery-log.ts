import type { KvStore } from '../store/kv-store.js';

/** What a delivery attempt may do with an event on a channel. */
export type ClaimResult = 'claimed' | 'done' | 'busy';

export type Channel = 'mail' | 'webhook';

interface ClaimRecord {
  state: 'sending' | 'sent';
  /** Epoch ms the claim was taken (a `sending` claim older than `staleMs` may be taken over). */
  at: number;
}

/**
 * Durable "sent at most once per event id and channel" across restarts and instances.
 * Before sending, an instance claims `<channel>.<eventId>` by a create-if-absent (atomic on
 * JetStream KV); after the send it marks the claim `sent`; when the send fails it deletes the
 * claim so the redelivery can send. A claim left `sending` by a crashed instance is taken over
 * (compare-and-set) once older than `staleMs`: at-least-once, never lost.
 */
export class DeliveryLog {
  constructor(
    private readonly kv: KvStore,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private key(channel: Channel, eventId: string): string {
    return `${channel}.${eventId}`;
  }

  async claim(channel: Channel, eventId: string): Promise<ClaimResult> {
    const key = this.key(channel, eventId);
    const mine = JSON.stringify({ state: 'sending', at: this.now() } satisfies ClaimRecord);
    if (await this.kv.create(key, mine)) return 'claimed';
    const entry = await this.kv.get(key);
    // Deleted between our two calls (the other sender failed): try once more.
    if (!entry) return (await this.kv.create(key, mine)) ? 'claimed' : 'busy';
    const record = parseClaim(entry.value);
    if (record.state === 'sent') return 'done';
    if (this.now() - record.at < this.staleMs) return 'busy';
    return (await this.kv.update(key, mine, entry.revision)) ? 'claimed' : 'busy';
  }

  async markSent(channel: Channel, eventId: string): Promise<void> {
    await this.kv.put(this.key(channel, eventId), JSON.stringify({ state: 'sent', at: this.now() } satisfies ClaimRecord));
  }

  async release(channel: Channel, eventId: string): Promise<void> {
    await this.kv.delete(this.key(channel, eventId));
  }
}

function parseClaim(value: string): ClaimRecord {
  try {
    const v = JSON.parse(value) as Partial<ClaimRecord>;
    if ((v.state === 'sending' || v.state === 'sent') && typeof v.at === 'number') return { state: v.state, at: v.at };
  } catch {
    // fall through: an unreadable claim counts as stale
  }
  return { state: 'sending', at: 0 };
}
