import type { DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { DeliveryLog } from '../delivery/delivery-log.js';
import { DeliveryBusyError } from '../use-cases/send-event-mail.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { webhookTargetProblem } from './target-policy.js';
import type { WebhookRegistry } from './webhook-registry.js';

export type WebhookOutcome = 'delivered' | 'duplicate' | 'no-webhook';

export interface WebhookDelivererDeps {
  webhooks: WebhookRegistry;
  deliveries: DeliveryLog;
  timeoutMs: number;
  /** Whether webhooks may target private, loopback or link-local addresses (default false). */
  allowPrivateTargets?: boolean;
  now?: () => Date;
}

/** The body a receiver gets: the event without the owners' addresses. */
export function webhookBody(event: DomainEvent<'alert.raised'>): string {
  const { notifyEmails: _omitted, ...data } = event.data;
  return JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt, data });
}

/**
 * POSTs an `alert.raised` event to the business's webhook, signed, once per event id (durable
 * claim); a non-2xx answer or a network error throws, so the bus retries with backoff and parks
 * after its bounded attempts.
 */
export function createWebhookDeliverer(deps: WebhookDelivererDeps): (event: DomainEvent, logger: Logger) => Promise<WebhookOutcome> {
  const now = deps.now ?? (() => new Date());
  return async (event, logger) => {
    if (event.type !== 'alert.raised') return 'no-webhook';
    const alert = event as DomainEvent<'alert.raised'>;
    if (!alert.data.businessId) return 'no-webhook';
    const hook = await deps.webhooks.get(alert.data.businessId);
    if (!hook) return 'no-webhook';
    const claim = await deps.deliveries.claim('webhook', event.id);
    if (claim === 'done') return 'duplicate';
    if (claim === 'busy') throw new DeliveryBusyError(event.id);
    const problem = await webhookTargetProblem(hook.url, deps.allowPrivateTargets ?? false);
    if (problem) {
      await deps.deliveries.release('webhook', event.id);
      throw new Error(`webhook target refused: ${problem}`);
    }
    const body = webhookBody(alert);
    const timestamp = Math.floor(now().getTime() / 1000);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Dispatch-Webhooks/1',
          [EVENT_ID_HEADER]: event.id,
          [SIGNATURE_HEADER]: signatureHeader(hook.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}`);
    } catch (err) {
      await deps.deliveries.release('webhook', event.id).catch((e: unknown) => logger.warn({ err: e }, 'webhook claim not released'));
      throw err;
    }
    await deps.deliveries.markSent('webhook', event.id);
    logger.info({ host: new URL(hook.url).host }, 'webhook delivered');
    return 'delivered';
  };
}
