import type { AlertKind } from '@dispatch/contracts';
import type { Bus } from '@dispatch/bus';
import { idFromKey, metrics, type Logger } from '@dispatch/runtime';
import type { AlertEntity, AlertRepository } from '../store/alert-repository.js';

export interface RaiseAlertDeps {
  alerts: AlertRepository;
  events: Pick<Bus, 'publish'>;
  /** The business owners' addresses for the security email (best effort). */
  recipients(businessId: string, requestId: string, logger: Logger): Promise<string[]>;
  /** Incident keys this process knows are published: an ongoing incident costs no store read per event. */
  published?: RecentKeys;
}

/** A bounded set of recent keys (oldest forgotten first). */
export class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 10_000) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
  }
}

export interface AlertInput {
  kind: AlertKind;
  businessId: string;
  tokenId: string | null;
  /** What the incident is about (a token id or the business id), part of the incident key. */
  subject: string;
  /** Start of the incident window: one alert per kind, subject and window. */
  windowStart: Date;
  firstSeenAt: Date;
  summary: string;
  details: Record<string, unknown>;
}

/** `<kind>:<subject>:<window start>`: the claim that makes an incident one alert. */
export const incidentKeyOf = (kind: AlertKind, subject: string, windowStart: Date): string => `${kind}:${subject}:${windowStart.toISOString()}`;

/**
 * Raises an alert once per incident: the incident key is claimed by a unique insert (two
 * detectors racing: one wins), then `alert.raised` goes out with an id derived from the key.
 * An alert claimed but not yet published (publish failed, or the claimer is still at it) is
 * published by whoever sees it next, with the same event id, so JetStream and the notification
 * service deduplicate it. Returns true when this call claimed the incident.
 */
export async function raiseAlert(deps: RaiseAlertDeps, input: AlertInput, requestId: string, logger: Logger): Promise<boolean> {
  const incidentKey = incidentKeyOf(input.kind, input.subject, input.windowStart);
  if (deps.published?.has(incidentKey)) return false;
  const fresh: AlertEntity = {
    incidentKey,
    alertId: idFromKey('alr', incidentKey, input.windowStart),
    eventId: idFromKey('evt', incidentKey, input.windowStart),
    businessId: input.businessId,
    kind: input.kind,
    tokenId: input.tokenId,
    summary: input.summary,
    details: input.details,
    firstSeenAt: input.firstSeenAt,
    publishedAt: null,
  };
  const claimed = await deps.alerts.claim(fresh);
  const alert = claimed ? fresh : await deps.alerts.get(incidentKey);
  if (!alert) return false;
  if (alert.publishedAt) {
    deps.published?.add(incidentKey);
    return false;
  }
  const notifyEmails = alert.businessId ? await deps.recipients(alert.businessId, requestId, logger) : [];
  await deps.events.publish(
    'alert.raised',
    {
      alertId: alert.alertId,
      businessId: alert.businessId,
      kind: alert.kind,
      tokenId: alert.tokenId,
      incidentKey,
      summary: alert.summary,
      details: alert.details,
      firstSeenAt: alert.firstSeenAt.toISOString(),
      notifyEmails,
    },
    { id: alert.eventId, requestId },
  );
  await deps.alerts.markPublished(incidentKey, new Date());
  deps.published?.add(incidentKey);
  if (claimed) {
    metrics.alertsRaised.inc({ kind: alert.kind });
    logger.warn({ alertId: alert.alertId, kind: alert.kind, businessId: alert.businessId, tokenId: alert.tokenId }, 'alert raised');
  }
  return claimed;
}
