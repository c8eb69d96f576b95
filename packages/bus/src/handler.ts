import type { DomainEvent, RequestKey } from '@dispatch/contracts';
import { metrics, type Logger } from '@dispatch/runtime';
import type { ConsumeOptions, Handler } from './bus.js';
import { parseRequest, toWireError, type WireReply } from './codec.js';

/** Validates a raw request, runs the handler and shapes the reply. Shared by every transport. */
export async function runHandler<K extends RequestKey>(
  key: K,
  handler: Handler<K>,
  raw: unknown,
  requestId: string,
  logger: Logger,
): Promise<WireReply> {
  const log = logger.child({ requestId, subject: key });
  const stopTimer = metrics.busRequestDuration.startTimer({ subject: key });
  let outcome = 'ok';
  try {
    const request = parseRequest(key, raw);
    const data = await handler(request, { requestId, logger: log });
    return { ok: true, data };
  } catch (err) {
    const { wire, unexpected } = toWireError(err);
    if (unexpected) log.error({ err }, 'handler failed');
    outcome = wire.code;
    return { ok: false, error: wire };
  } finally {
    metrics.busRequests.inc({ subject: key, outcome });
    const seconds = stopTimer();
    // One line per request at debug level, carrying the request id the edge assigned.
    log.debug({ outcome, ms: Math.round(seconds * 10_000) / 10 }, 'handled');
  }
}

/** Exponential backoff for event redelivery: 250 ms, 500 ms, 1 s … capped at 30 s. */
export const redeliveryDelayMs = (attempt: number): number => Math.min(30_000, 250 * 2 ** Math.max(0, attempt - 1));

/** Calls `onParked`; its own failure is logged, never allowed to stop the consumer. */
export async function notifyParked(options: ConsumeOptions, event: DomainEvent, error: unknown, logger: Logger): Promise<void> {
  try {
    await options.onParked?.(event, error);
  } catch (err) {
    logger.error({ err }, 'onParked failed');
  }
}

/** Counts an event outcome of a durable consumer: `ok`, `retry` or `parked`. */
export const countEvent = (consumer: string, type: string, outcome: 'ok' | 'retry' | 'parked'): void =>
  metrics.eventsHandled.inc({ consumer, type, outcome });
