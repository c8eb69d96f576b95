import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process, with the metrics every Dispatch service shares.
 * Service-specific metrics register on `metrics.registry` too.
 */
const registry = new Registry();
let defaultsCollected = false;

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const metrics = {
  registry,
  /** Bus requests handled by this process, by subject and outcome (`ok` or an error code). */
  busRequests: new Counter({
    name: 'dispatch_bus_requests_total',
    help: 'Bus requests handled, by subject and outcome',
    labelNames: ['subject', 'outcome'] as const,
    registers: [registry],
  }),
  busRequestDuration: new Histogram({
    name: 'dispatch_bus_request_duration_seconds',
    help: 'Time to handle a bus request, by subject',
    labelNames: ['subject'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  /** Events handled by durable consumers, by type and outcome (ok, retry, parked). */
  eventsHandled: new Counter({
    name: 'dispatch_events_handled_total',
    help: 'Domain events handled by durable consumers',
    labelNames: ['consumer', 'type', 'outcome'] as const,
    registers: [registry],
  }),
  /** Events waiting for a durable consumer (JetStream num_pending + ack pending). */
  consumerPending: new Gauge({
    name: 'dispatch_event_consumer_pending',
    help: 'Events not yet handled by a durable consumer (queue lag)',
    labelNames: ['consumer'] as const,
    registers: [registry],
  }),
  /** Errors talking to infrastructure, by system (nats, redis, mongo). */
  infraErrors: new Counter({
    name: 'dispatch_infra_errors_total',
    help: 'Errors talking to NATS, Redis or MongoDB',
    labelNames: ['system'] as const,
    registers: [registry],
  }),
  /** Notifications (mail or webhook) given up after their bounded attempts, by channel and event type. */
  notificationsParked: new Counter({
    name: 'dispatch_notifications_parked_total',
    help: 'Notifications parked after repeated delivery failures, by channel and event type',
    labelNames: ['channel', 'type'] as const,
    registers: [registry],
  }),
  /** Alerts raised (one per incident), by kind. */
  alertsRaised: new Counter({
    name: 'dispatch_alerts_raised_total',
    help: 'Suspicious-activity and infrastructure alerts raised, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  httpRequests: new Counter({
    name: 'dispatch_http_requests_total',
    help: 'HTTP requests served by the edge, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  httpRequestDuration: new Histogram({
    name: 'dispatch_http_request_duration_seconds',
    help: 'HTTP request latency at the edge, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  }),
  rateLimitDecisions: new Counter({
    name: 'dispatch_ratelimit_decisions_total',
    help: 'Rate-limit decisions at the edge: allowed, limited, or unavailable (policy applied); mode="shadow": what a shadow limit would have decided (never enforced)',
    labelNames: ['outcome', 'mode'] as const,
    registers: [registry],
  }),
  tokenValidations: new Counter({
    name: 'dispatch_token_validations_total',
    help: 'Token validations, by result (valid or the reason it was refused) and where it was decided',
    labelNames: ['result', 'source'] as const,
    registers: [registry],
  }),
  /** The token service's API-token validation cache: hits need no database read. */
  validationCache: new Counter({
    name: 'dispatch_token_validation_cache_total',
    help: 'API-token validation cache lookups in the token service, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  /** Process metrics (CPU, memory, event-loop lag), labelled with the service name. */
  collectDefaults(service: string): void {
    if (defaultsCollected) return;
    defaultsCollected = true;
    registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: registry });
  },
};
