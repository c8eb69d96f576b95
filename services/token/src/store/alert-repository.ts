import type { AlertKind, AlertSettingsBody } from '@dispatch/contracts';

/** One raised alert: its `incidentKey` is the claim (unique), so an incident is raised once. */
export interface AlertEntity {
  incidentKey: string;
  alertId: string;
  /** The id of its `alert.raised` event (derived from the incident key). */
  eventId: string;
  businessId: string | null;
  kind: AlertKind;
  tokenId: string | null;
  summary: string;
  details: Record<string, unknown>;
  firstSeenAt: Date;
  /** Set once the event is on the bus; an alert claimed but not published is published by the next detection. */
  publishedAt: Date | null;
}

/** The port for raised alerts. */
export interface AlertRepository {
  /** Inserts the alert unless its incident is already claimed (atomic unique insert): true when this call claimed it. */
  claim(alert: AlertEntity): Promise<boolean>;
  get(incidentKey: string): Promise<AlertEntity | undefined>;
  markPublished(incidentKey: string, at: Date): Promise<void>;
  /** The business's alerts, newest first. */
  list(businessId: string, limit: number): Promise<AlertEntity[]>;
}

export interface StoredAlertSettings {
  /** Only what the owners changed; everything else follows the defaults of the environment. */
  overrides: AlertSettingsBody;
  updatedAt: Date;
  updatedBy: string;
}

/** The port for per-business alert thresholds (last write wins: one document per business). */
export interface AlertSettingsRepository {
  get(businessId: string): Promise<StoredAlertSettings | undefined>;
  put(businessId: string, settings: StoredAlertSettings): Promise<void>;
}
