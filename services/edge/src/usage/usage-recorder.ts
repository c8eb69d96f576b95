import type { Bus } from '@dispatch/bus';
import type { EventPayload } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';

type Entry = EventPayload<'usage.recorded'>['entries'][number];

export interface UsageCall {
  businessId: string;
  tokenId: string;
  method: string;
  route: string;
  status: number;
  ip: string;
  at: Date;
}

/** Entries per event (JetStream messages stay far below the 1 MB default). */
const ENTRIES_PER_EVENT = 1000;
/** Distinct aggregates kept between flushes; beyond it new ones are dropped (and counted). */
const MAX_PENDING = 50_000;

const minuteOf = (at: Date): string => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

/**
 * Counts the calls made with API tokens (allowed, refused, and attempts with revoked or
 * expired tokens) per token, minute, method + route, status and client IP, in memory; every
 * `intervalMs` the counts go out as one JetStream event `usage.recorded`. Nothing is written
 * on the request path.
 */
export class UsageRecorder {
  private pending = new Map<string, Entry>();
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly source: string,
  ) {}

  record(call: UsageCall): void {
    const minute = minuteOf(call.at);
    const route = call.route.slice(0, 300);
    const ip = call.ip.slice(0, 64);
    const method = call.method.slice(0, 16);
    const key = [call.tokenId, minute, method, route, call.status, ip].join('\u0000');
    const entry = this.pending.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.set(key, { businessId: call.businessId, tokenId: call.tokenId, minute, method, route, status: call.status, ip, count: 1 });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publishPending());
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async publishPending(): Promise<void> {
    if (this.dropped > 0) {
      this.logger.warn({ dropped: this.dropped }, 'usage aggregates dropped: too many distinct calls between flushes');
      this.dropped = 0;
    }
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    for (let i = 0; i < batch.length; i += ENTRIES_PER_EVENT) {
      const entries = batch.slice(i, i + ENTRIES_PER_EVENT);
      try {
        await this.bus.publish('usage.recorded', { source: this.source, entries });
      } catch (err) {
        // Keep the counts for the next flush (merged with what arrived meanwhile).
        for (const e of batch.slice(i)) {
          const key = [e.tokenId, e.minute, e.method, e.route, e.status, e.ip].join('\u0000');
          const current = this.pending.get(key);
          if (current) current.count += e.count;
          else if (this.pending.size < MAX_PENDING) this.pending.set(key, e);
        }
        this.logger.warn({ err: (err as Error).message, entries: batch.length - i }, 'usage not published, will retry');
        return;
      }
    }
  }
}
