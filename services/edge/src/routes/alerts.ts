import { AlertSettingsBody, AlertsQuery, WebhookBody, errors } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { requireSession } from '../auth/authenticate.js';
import { readBody } from '../http/body.js';
import { call } from '../http/call.js';
import type { EdgeDeps, EdgeState } from '../http/context.js';
import { ok } from '../http/envelope.js';
import { readQuery } from '../http/query.js';

/** Who may read and change alerts, thresholds and the alert webhook: the business's owners and admins. */
const ALERT_ROLES = ['owner', 'admin'] as const;

/** /api/v1/alerts: suspicious-activity alerts, their thresholds and the signed webhook. */
export function alertRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const limit = deps.config.bodyLimitBytes;

  router.get('/api/v1/alerts', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    const query = readQuery(ctx, AlertsQuery);
    const reply = await call(ctx, deps, 'token.listAlerts', { businessId: session.businessId, limit: query.limit });
    ok(ctx, reply.alerts);
  });

  router.get('/api/v1/alerts/settings', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    ok(ctx, await call(ctx, deps, 'token.getAlertSettings', { businessId: session.businessId }));
  });

  router.put('/api/v1/alerts/settings', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    const body = await readBody(ctx, AlertSettingsBody, limit);
    ok(ctx, await call(ctx, deps, 'token.putAlertSettings', { businessId: session.businessId, updatedBy: session.userId, settings: body }));
  });

  router.put('/api/v1/alerts/webhook', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    const body = await readBody(ctx, WebhookBody, limit);
    const created = await call(ctx, deps, 'notification.putWebhook', { businessId: session.businessId, url: body.url });
    // The signing secret is in this response only.
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, created, 201);
  });

  router.get('/api/v1/alerts/webhook', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    const reply = await call(ctx, deps, 'notification.getWebhook', { businessId: session.businessId });
    if (!reply.webhook) throw errors.notFound('Webhook');
    ok(ctx, reply.webhook);
  });

  router.delete('/api/v1/alerts/webhook', async (ctx) => {
    const session = await requireSession(ctx, deps, ALERT_ROLES);
    const reply = await call(ctx, deps, 'notification.deleteWebhook', { businessId: session.businessId });
    if (!reply.deleted) throw errors.notFound('Webhook');
    ok(ctx, { deleted: true });
  });
}
