import type { AlertRecord, ListAlertsReply } from '@dispatch/contracts';
import type { AlertEntity, AlertRepository } from '../store/alert-repository.js';

export const toAlertRecord = (a: AlertEntity): AlertRecord => ({
  alertId: a.alertId,
  businessId: a.businessId,
  kind: a.kind,
  tokenId: a.tokenId,
  incidentKey: a.incidentKey,
  summary: a.summary,
  details: a.details,
  firstSeenAt: a.firstSeenAt.toISOString(),
});

/** token.listAlerts: the business's alerts, newest first. */
export async function listAlerts(alerts: AlertRepository, request: { businessId: string; limit: number }): Promise<ListAlertsReply> {
  return { alerts: (await alerts.list(request.businessId, request.limit)).map(toAlertRecord) };
}
