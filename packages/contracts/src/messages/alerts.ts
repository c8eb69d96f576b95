import { z } from 'zod';
import { BusinessId, TokenId } from '../common.js';

/**
 * Suspicious-activity alerts. Detection runs in the token service on the `usage.recorded`
 * events of the edges; infrastructure alerts (`infra.*`) come from the services themselves.
 */
export const AlertKind = z.enum([
  /** A revoked or expired API token is still being presented (401 attributed to the token). */
  'token.invalid_use',
  /** A token's calls in one minute far above its own average of the preceding minutes. */
  'token.rate_spike',
  /** A token used from many more distinct client IPs than in its own recent past. */
  'token.ip_spread',
  /** Many 401s attributable to one business in one minute (attempts with its revoked/expired tokens). */
  'business.unauthorized_burst',
  /** The rate-limit service cannot reach Redis (the edge applies its failure policy). */
  'infra.redis_unavailable',
]);
export type AlertKind = z.infer<typeof AlertKind>;

const Factor = z.number().min(1.5, 'must be at least 1.5').max(1000, 'must be at most 1000');
const Minutes = (max: number) => z.number().int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`);
const Count = z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000');

/** Per-business detection thresholds (defaults from the token service's environment). */
export const AlertSettings = z.strictObject({
  /** Master switch for this business's alerts. */
  enabled: z.boolean(),
  /** (a) attempts with a revoked/expired token in one incident window before an alert. */
  invalidUseMinAttempts: Count,
  /** (b) alert when a minute's calls > factor × the token's average per minute over `baselineMinutes` … */
  rateSpikeFactor: Factor,
  /** … and are at least this many. */
  rateSpikeMinCalls: Count,
  /** Minutes before the current one that form a token's baseline (rate and IPs). */
  baselineMinutes: Minutes(1440),
  /** (c) alert when the distinct IPs of the last `ipWindowMinutes` > factor × the baseline's distinct IPs … */
  ipSpreadFactor: Factor,
  /** … and are at least this many. */
  ipSpreadMinDistinct: Count,
  ipWindowMinutes: Minutes(60),
  /** (d) 401s attributable to the business in one minute before an alert. */
  unauthorizedBurstMin: Count,
  /** One alert per kind (and token) per window of this many minutes. */
  incidentWindowMinutes: Minutes(1440),
});
export type AlertSettings = z.infer<typeof AlertSettings>;

/** PUT /api/v1/alerts/settings: any subset; missing fields keep their current value. */
export const AlertSettingsBody = AlertSettings.partial();
export type AlertSettingsBody = z.infer<typeof AlertSettingsBody>;

export const AlertSettingsView = z.object({ settings: AlertSettings, customized: z.boolean(), updatedAt: z.string().nullable() });
export type AlertSettingsView = z.infer<typeof AlertSettingsView>;

/** One raised alert as the owners see it. */
export const AlertRecord = z.object({
  alertId: z.string(),
  businessId: BusinessId.nullable(),
  kind: AlertKind,
  tokenId: TokenId.nullable(),
  incidentKey: z.string(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  firstSeenAt: z.string(),
});
export type AlertRecord = z.infer<typeof AlertRecord>;

export const GetAlertSettingsRequest = z.strictObject({ businessId: BusinessId });
export const PutAlertSettingsRequest = z.strictObject({ businessId: BusinessId, updatedBy: z.string(), settings: AlertSettingsBody });
export const ListAlertsRequest = z.strictObject({ businessId: BusinessId, limit: z.number().int().min(1).max(100) });
export const ListAlertsReply = z.object({ alerts: z.array(AlertRecord) });
export type ListAlertsReply = z.infer<typeof ListAlertsReply>;

/** GET /api/v1/alerts?limit= (newest first). */
export const AlertsQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(50),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

/** Alert webhooks (one per business), stored by the notification service. */
export const WebhookUrl = z
  .string()
  .max(2000, 'url must be at most 2000 characters')
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'url must be an http(s) URL without credentials');
export const WebhookBody = z.strictObject({ url: WebhookUrl });
export type WebhookBody = z.infer<typeof WebhookBody>;
export const WebhookInfo = z.object({ url: z.string(), createdAt: z.string() });
export type WebhookInfo = z.infer<typeof WebhookInfo>;
/** The signing secret is in the registration response only. */
export const WebhookCreated = WebhookInfo.extend({ secret: z.string() });
export type WebhookCreated = z.infer<typeof WebhookCreated>;

export const PutWebhookRequest = z.strictObject({ businessId: BusinessId, url: WebhookUrl });
export const WebhookRequest = z.strictObject({ businessId: BusinessId });
export const GetWebhookReply = z.object({ webhook: WebhookInfo.nullable() });
export const DeleteWebhookReply = z.object({ deleted: z.boolean() });

/** A notification that could not be delivered after its bounded attempts (ops view). */
export const ParkedNotification = z.object({
  eventId: z.string(),
  eventType: z.string(),
  channel: z.enum(['mail', 'webhook']),
  attempts: z.number().int(),
  error: z.string(),
  parkedAt: z.string(),
});
export type ParkedNotification = z.infer<typeof ParkedNotification>;
export const ListParkedRequest = z.strictObject({});
export const ListParkedReply = z.object({ parked: z.array(ParkedNotification) });
