import type { Bus } from '@dispatch/bus';
import { idFromKey, metrics, type Logger } from '@dispatch/runtime';

export interface InfraAlerterOptions {
  /** One alert per window of this many minutes (default 60). */
  windowMinutes?: number;
  /** The service raising it, part of the incident key (default `ratelimit`). */
  source?: string;
  now?: () => Date;
}

/**
 * Raises `infra.redis_unavailable` when the rate-limit store fails: at most once per incident
 * window in this process, and with an event id derived from the incident key, so several
 * instances raising one incident publish one event id (JetStream drops the repeats inside its
 * duplicate window; consumers are idempotent by event id). Never blocks or fails a decision.
 */
export class InfraAlerter {
  private raisedWindow: number | undefined;
  private readonly windowMs: number;
  private readonly source: string;
  private readonly now: () => Date;

  constructor(
    private readonly events: Pick<Bus, 'publish'>,
    private readonly logger: Logger,
    options: InfraAlerterOptions = {},
  ) {
    this.windowMs = (options.windowMinutes ?? 60) * 60_000;
    this.source = options.source ?? 'ratelimit';
    this.now = options.now ?? (() => new Date());
  }

  /** Called on every store failure; resolves once the alert (if any) is published or given up. */
  async redisUnavailable(reason: string): Promise<void> {
    const at = this.now();
    const windowStart = new Date(Math.floor(at.getTime() / this.windowMs) * this.windowMs);
    if (this.raisedWindow === windowStart.getTime()) return;
    this.raisedWindow = windowStart.getTime();
    const incidentKey = `infra.redis_unavailable:${this.source}:${windowStart.toISOString()}`;
    try {
      await this.events.publish(
        'alert.raised',
        {
          alertId: idFromKey('alr', incidentKey, windowStart),
          businessId: null,
          kind: 'infra.redis_unavailable',
          tokenId: null,
          incidentKey,
          summary: `The ${this.source} service cannot reach Redis; the edge applies its rate-limit failure policy.`,
          details: { source: this.source, reason: reason.slice(0, 300) },
          firstSeenAt: at.toISOString(),
          notifyEmails: [],
        },
        { id: idFromKey('evt', incidentKey, windowStart) },
      );
      metrics.alertsRaised.inc({ kind: 'infra.redis_unavailable' });
      this.logger.error({ incidentKey }, 'alert raised: redis unavailable');
    } catch (err) {
      // NATS is away too: try again on the next failure.
      this.raisedWindow = undefined;
      this.logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'redis-unavailable alert not published');
    }
  }
}
