import type { DomainEvent, EventPayload, EventType, ParsedRequestOf, ReplyOf, RequestKey, RequestOf } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';

export interface RequestOptions {
  /** Milliseconds before the request fails with SERVICE_UNAVAILABLE. */
  timeoutMs?: number;
  /** Correlation id carried in the `x-request-id` header. */
  requestId?: string;
}

export interface HandlerContext {
  requestId: string;
  logger: Logger;
}

/**
 * A request handler. Return the reply; throw a `DispatchError` for an expected failure
 * (it crosses the wire as data); anything else thrown is a bug and becomes INTERNAL_ERROR.
 */
export type Handler<K extends RequestKey> = (request: ParsedRequestOf<K>, ctx: HandlerContext) => Promise<ReplyOf<K>>;

export type EventHandler = (event: DomainEvent, ctx: HandlerContext & { attempt: number }) => Promise<void>;

export interface ConsumeOptions {
  /** Only these event types are delivered (all when omitted). */
  types?: EventType[];
  /** Deliveries before a failing event is parked (never retried forever). */
  maxDeliver?: number;
  /** Milliseconds before an unacknowledged delivery is redelivered. */
  ackWaitMs?: number;
  /** Called once an event has failed `maxDeliver` times. */
  onParked?: (event: DomainEvent, error: unknown) => Promise<void> | void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface PublishOptions {
  requestId?: string;
  /** Event id; repeated publishes with the same id are delivered once. */
  id?: string;
}

export interface BroadcastOptions {
  /** Called when broadcasts may have been missed (e.g. while disconnected from the broker). */
  onGap?: () => void;
}

/**
 * The port every service talks through. Two implementations pass one contract suite:
 * NATS (request-reply with queue groups, events on JetStream) and in-memory (embedded mode).
 */
export interface Bus {
  readonly namespace: string;
  request<K extends RequestKey>(key: K, payload: RequestOf<K>, options?: RequestOptions): Promise<ReplyOf<K>>;
  serve<K extends RequestKey>(key: K, handler: Handler<K>): Subscription;
  publish<T extends EventType>(type: T, data: EventPayload<T>, options?: PublishOptions): Promise<DomainEvent<T>>;
  consume(durableName: string, handler: EventHandler, options?: ConsumeOptions): Promise<Subscription>;
  /**
   * Fan-out to every instance (cache invalidation), not stored. Resolves once the broker has the
   * message: every subscriber gets it before any message published after that (single server).
   */
  broadcast(topic: string, data: unknown): Promise<void>;
  /**
   * Subscribes to a broadcast topic; the handler runs synchronously, in order with requests.
   * `onGap` runs when broadcasts may have been missed (the connection to the broker was lost).
   */
  onBroadcast(topic: string, handler: (data: unknown) => void, options?: BroadcastOptions): Subscription;
  /** True while the connection to the broker is up. */
  isConnected(): boolean;
  /** Stops taking new work, finishes in-flight handlers, then closes. */
  drain(): Promise<void>;
}
