import {
  DispatchError,
  errors,
  eventPayloads,
  parseEvent,
  requests,
  type DomainEvent,
  type EventPayload,
  type EventType,
  type RequestKey,
  type RequestOf,
  type ReplyOf,
} from '@dispatch/contracts';
import { newId, type Logger } from '@dispatch/runtime';
import type { Bus, ConsumeOptions, EventHandler, Handler, PublishOptions, RequestOptions, Subscription } from './bus.js';
import { parseReply } from './codec.js';
import { countEvent, notifyParked, redeliveryDelayMs, runHandler } from './handler.js';

type RawHandler = (raw: unknown, requestId: string) => Promise<unknown>;

interface DurableState {
  offset: number;
  active: boolean;
}

/** One namespace's events, as JetStream keeps one stream per namespace. */
interface EventLog {
  events: DomainEvent[];
  ids: Set<string>;
}

/**
 * The in-process broker shared by the buses of one embedded process. It keeps the event log
 * and each durable consumer's position, so events published while a consumer is stopped are
 * delivered when it starts again — the same promise JetStream makes.
 */
export class MemoryHub {
  readonly handlers = new Map<string, { list: RawHandler[]; next: number }>();
  readonly logs = new Map<string, EventLog>();
  readonly durables = new Map<string, DurableState>();
  readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly wakers = new Set<() => void>();

  log(namespace: string): EventLog {
    let log = this.logs.get(namespace);
    if (!log) {
      log = { events: [], ids: new Set() };
      this.logs.set(namespace, log);
    }
    return log;
  }

  append(namespace: string, event: DomainEvent): void {
    const log = this.log(namespace);
    if (log.ids.has(event.id)) return;
    log.ids.add(event.id);
    log.events.push(event);
    for (const wake of this.wakers) wake();
  }
}

const clone = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MemoryBus implements Bus {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  async request<K extends RequestKey>(key: K, payload: RequestOf<K>, options: RequestOptions = {}): Promise<ReplyOf<K>> {
    if (this.closed) throw errors.unavailable();
    const subject = `${this.namespace}.${requests[key].subject}`;
    const entry = this.hub.handlers.get(subject);
    const handler = entry?.list[entry.next++ % entry.list.length];
    if (!entry || !handler) throw errors.unavailable(`No ${requests[key].service} service is available`);
    const timeoutMs = options.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(errors.unavailable(`${requests[key].service} did not answer in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const raw = await Promise.race([handler(clone(payload), options.requestId ?? newId('req')), timeout]);
      return parseReply(key, clone(raw));
    } finally {
      clearTimeout(timer);
    }
  }

  serve<K extends RequestKey>(key: K, handler: Handler<K>): Subscription {
    const subject = `${this.namespace}.${requests[key].subject}`;
    const raw: RawHandler = (payload, requestId) => this.track(runHandler(key, handler, payload, requestId, this.logger));
    const entry = this.hub.handlers.get(subject) ?? { list: [], next: 0 };
    entry.list.push(raw);
    this.hub.handlers.set(subject, entry);
    return this.remember(async () => {
      entry.list = entry.list.filter((h) => h !== raw);
      if (entry.list.length === 0) this.hub.handlers.delete(subject);
    });
  }

  async publish<T extends EventType>(type: T, data: EventPayload<T>, options: PublishOptions = {}): Promise<DomainEvent<T>> {
    if (this.closed) throw errors.unavailable();
    const parsed = eventPayloads[type].parse(data) as EventPayload<T>;
    const event: DomainEvent<T> = {
      id: options.id ?? newId('evt'),
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      ...(options.requestId ? { requestId: options.requestId } : {}),
      data: parsed,
    };
    this.hub.append(this.namespace, parseEvent(clone(event)));
    return event;
  }

  async consume(durableName: string, handler: EventHandler, options: ConsumeOptions = {}): Promise<Subscription> {
    const key = `${this.namespace}/${durableName}`;
    const state = this.hub.durables.get(key) ?? { offset: 0, active: false };
    if (state.active) throw new DispatchError('CONFLICT', `Consumer ${durableName} is already running in this process`);
    state.active = true;
    this.hub.durables.set(key, state);
    const maxDeliver = options.maxDeliver ?? 5;
    let running = true;
    let wake: (() => void) | undefined;
    const waker = () => wake?.();
    this.hub.wakers.add(waker);

    const log = this.hub.log(this.namespace);
    const loop = (async () => {
      while (running) {
        const event = log.events[state.offset];
        if (!event) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        if (options.types && !options.types.includes(event.type)) {
          state.offset++;
          continue;
        }
        // Done (acked or parked) even when stop() came while the handler ran, like a JetStream ack.
        let done = false;
        for (let attempt = 1; running && !done; attempt++) {
          const eventLog = this.logger.child({ eventId: event.id, eventType: event.type, consumer: durableName, attempt });
          try {
            await handler(event, { requestId: event.requestId ?? event.id, logger: eventLog, attempt });
            countEvent(durableName, event.type, 'ok');
            done = true;
          } catch (err) {
            if (attempt >= maxDeliver) {
              eventLog.error({ err }, 'event parked after repeated failures');
              countEvent(durableName, event.type, 'parked');
              await notifyParked(options, event, err, eventLog);
              done = true;
            } else {
              eventLog.warn({ err }, 'event handler failed, will retry');
              countEvent(durableName, event.type, 'retry');
              await sleep(redeliveryDelayMs(attempt));
            }
          }
        }
        if (done) state.offset++;
      }
    })();

    return this.remember(async () => {
      running = false;
      wake?.();
      this.hub.wakers.delete(waker);
      await loop;
      state.active = false;
    });
  }

  async broadcast(topic: string, data: unknown): Promise<void> {
    const listeners = this.hub.listeners.get(`${this.namespace}.${topic}`);
    for (const listener of [...(listeners ?? [])]) {
      try {
        listener(clone(data));
      } catch (err) {
        this.logger.warn({ err, topic }, 'broadcast handler failed');
      }
    }
  }

  onBroadcast(topic: string, handler: (data: unknown) => void): Subscription {
    const key = `${this.namespace}.${topic}`;
    const set = this.hub.listeners.get(key) ?? new Set();
    set.add(handler);
    this.hub.listeners.set(key, set);
    return this.remember(async () => {
      set.delete(handler);
    });
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async drain(): Promise<void> {
    for (const sub of [...this.subscriptions]) await sub.stop();
    await Promise.allSettled([...this.inFlight]);
    this.closed = true;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  private remember(stop: () => Promise<void>): Subscription {
    const sub: Subscription = {
      stop: async () => {
        this.subscriptions.delete(sub);
        await stop();
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }
}
