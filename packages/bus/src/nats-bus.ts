import {
  AckPolicy,
  DeliverPolicy,
  ErrorCode as NatsErrorCode,
  NatsError,
  RetentionPolicy,
  StorageType,
  connect,
  headers as natsHeaders,
  nanos,
  type JetStreamClient,
  type JetStreamManager,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from 'nats';
import {
  DispatchError,
  busHeaders,
  errors,
  eventPayloads,
  eventStreamName,
  eventSubject,
  eventWildcard,
  parseEvent,
  queueGroup,
  requests,
  serviceNames,
  type DomainEvent,
  type EventPayload,
  type EventType,
  type RequestKey,
  type RequestOf,
  type ReplyOf,
} from '@dispatch/contracts';
import { metrics, newId, type Logger } from '@dispatch/runtime';
import type { BroadcastOptions, Bus, ConsumeOptions, EventHandler, Handler, PublishOptions, RequestOptions, Subscription } from './bus.js';
import { decodeJson, encodeJson, parseReply } from './codec.js';
import { MicroService } from './nats-micro.js';
import { countEvent, notifyParked, redeliveryDelayMs, runHandler } from './handler.js';

export interface NatsBusOptions {
  servers: string;
  namespace: string;
  logger: Logger;
  /** Connection name shown in NATS monitoring. */
  name: string;
  /** How long events are kept on the stream. */
  eventRetentionMs?: number;
  /** Service version announced on the NATS service API. */
  version?: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Splits NATS_URL into server addresses and credentials: `nats://user:pass@host:4222` (user and
 * password) or `nats://token@host:4222` (a token). The nats.js client ignores credentials inside
 * server URLs, so they are passed as options; every server of a cluster shares them.
 */
export function natsConnectionOptions(serversCsv: string): { servers: string[]; user?: string; pass?: string; token?: string } {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const part of serversCsv.split(',').map((p) => p.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      servers.push(part);
      continue;
    }
    if (url.username) {
      user ??= decodeURIComponent(url.username);
      if (url.password) pass ??= decodeURIComponent(url.password);
      url.username = '';
      url.password = '';
    }
    servers.push(url.toString().replace(/\/$/, ''));
  }
  if (user !== undefined && pass === undefined) return { servers, token: user };
  return { servers, ...(user !== undefined ? { user } : {}), ...(pass !== undefined ? { pass } : {}) };
}

/** Connects to NATS, makes sure the namespace's event stream exists, and returns a Bus. */
export async function connectNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  const nc = await connect({
    ...natsConnectionOptions(options.servers),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 5000,
    // No `new Error()` (a stack capture) per request: failures are mapped to DispatchError codes
    // anyway, and the capture was ~2 % of the edge's CPU per authenticated request (README "Benchmarks").
    noAsyncTraces: true,
  });
  const jsm = await nc.jetstreamManager();
  const stream = eventStreamName(options.namespace);
  const config = {
    name: stream,
    subjects: [eventWildcard(options.namespace)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(options.eventRetentionMs ?? 7 * DAY_MS),
    duplicate_window: nanos(2 * 60 * 1000),
  };
  try {
    await jsm.streams.info(stream);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Another instance may have created it between our two calls.
      await jsm.streams.info(stream).catch(() => {
        throw err;
      });
    }
  }
  // A Dispatch service announces itself on the NATS service API (`nats micro ls` etc.).
  const micro = (serviceNames as readonly string[]).includes(options.name)
    ? new MicroService(nc, {
        name: `dispatch-${options.name}`,
        version: options.version ?? '0.1.0',
        description: `Dispatch Auth ${options.name} service`,
        metadata: { namespace: options.namespace },
      })
    : undefined;
  return new NatsBus(nc, jsm, nc.jetstream(), options.namespace, options.logger, micro);
}

export class NatsBus implements Bus {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<Subscription>();
  private connected = true;
  private readonly gapListeners = new Set<() => void>();

  constructor(
    readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    readonly namespace: string,
    private readonly logger: Logger,
    /** This instance on the NATS service API, when the bus belongs to a Dispatch service. */
    readonly micro?: MicroService,
  ) {
    void this.watchStatus();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        // Broadcasts are not stored: whatever was sent while we are away is lost to us.
        for (const gap of [...this.gapListeners]) {
          try {
            gap();
          } catch (err) {
            this.logger.warn({ err }, 'broadcast gap handler failed');
          }
        }
        this.logger.warn({ server: status.data }, 'nats disconnected');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.info({ server: status.data }, 'nats reconnected');
      }
    }
  }

  async request<K extends RequestKey>(key: K, payload: RequestOf<K>, options: RequestOptions = {}): Promise<ReplyOf<K>> {
    const spec = requests[key];
    // While the connection is down, nats.js buffers the request, and it is not answered even when
    // the connection is back well before its timeout (the fault tests measured a whole timeout lost
    // on every request around a nats-server restart): fail fast instead, the caller answers 503.
    if (!this.connected) throw errors.unavailable(`Message bus is reconnecting; ${spec.service} cannot be reached`);
    const h = natsHeaders();
    h.set(busHeaders.requestId, options.requestId ?? newId('req'));
    const timeoutMs = options.timeoutMs ?? 5000;
    h.set(busHeaders.deadline, String(Date.now() + timeoutMs));
    let msg: Msg;
    try {
      msg = await this.nc.request(`${this.namespace}.${spec.subject}`, encodeJson(payload), { timeout: timeoutMs, headers: h });
    } catch (err) {
      if (err instanceof NatsError) {
        if (err.code === NatsErrorCode.NoResponders) throw errors.unavailable(`No ${spec.service} service is available`);
        if (err.code === NatsErrorCode.Timeout) throw errors.unavailable(`${spec.service} did not answer in ${timeoutMs} ms`);
        throw errors.unavailable(`Message bus error: ${err.code}`);
      }
      throw err;
    }
    let raw: unknown;
    try {
      raw = decodeJson(msg.data);
    } catch {
      throw new DispatchError('INTERNAL_ERROR', `Unreadable reply to ${key}`);
    }
    return parseReply(key, raw);
  }

  serve<K extends RequestKey>(key: K, handler: Handler<K>): Subscription {
    const spec = requests[key];
    const subject = `${this.namespace}.${spec.subject}`;
    const queue = queueGroup(spec.service);
    const endpoint = spec.subject.split('.v1.')[1]?.replace(/\./g, '_') ?? key;
    const record = this.micro?.endpoint(endpoint, subject, queue);
    const sub: NatsSubscription = this.nc.subscribe(subject, {
      queue,
      callback: (err, msg) => {
        if (err) {
          this.logger.error({ err, subject: spec.subject }, 'subscription error');
          return;
        }
        const started = process.hrtime.bigint();
        this.track(
          this.handleRequest(key, handler, msg).then((errorCode) => record?.(started, errorCode)),
        );
      },
    });
    return this.remember(async () => {
      await sub.drain();
      this.micro?.removeEndpoint(endpoint);
    });
  }

  /** Handles one request; resolves to the error code when the reply is an error. */
  private async handleRequest<K extends RequestKey>(key: K, handler: Handler<K>, msg: Msg): Promise<string | undefined> {
    const requestId = msg.headers?.get(busHeaders.requestId) || newId('req');
    let raw: unknown;
    try {
      raw = decodeJson(msg.data);
    } catch {
      msg.respond(encodeJson({ ok: false, error: { code: 'VALIDATION_ERROR', message: 'Request is not valid JSON' } }));
      return 'VALIDATION_ERROR';
    }
    const reply = await runHandler(key, handler, raw, requestId, this.logger);
    if (msg.reply) msg.respond(encodeJson(reply));
    return reply.ok ? undefined : reply.error.code;
  }

  async publish<T extends EventType>(type: T, data: EventPayload<T>, options: PublishOptions = {}): Promise<DomainEvent<T>> {
    const parsed = eventPayloads[type].parse(data) as EventPayload<T>;
    const event: DomainEvent<T> = {
      id: options.id ?? newId('evt'),
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      ...(options.requestId ? { requestId: options.requestId } : {}),
      data: parsed,
    };
    // Check the whole envelope (e.g. an explicit id) here: consumers would otherwise drop it unread.
    parseEvent(event);
    const h = natsHeaders();
    if (options.requestId) h.set(busHeaders.requestId, options.requestId);
    try {
      await this.js.publish(eventSubject(this.namespace, type), encodeJson(event), { msgID: event.id, headers: h });
    } catch (err) {
      this.logger.error({ err, eventType: type }, 'event publish failed');
      throw errors.unavailable('Could not record the event, try again');
    }
    return event;
  }

  async consume(durableName: string, handler: EventHandler, options: ConsumeOptions = {}): Promise<Subscription> {
    const stream = eventStreamName(this.namespace);
    const maxDeliver = options.maxDeliver ?? 5;
    const consumerConfig = {
      durable_name: durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_deliver: maxDeliver,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      filter_subject: eventWildcard(this.namespace),
    };
    try {
      await this.jsm.consumers.add(stream, consumerConfig);
    } catch {
      await this.jsm.consumers.update(stream, durableName, {
        max_deliver: consumerConfig.max_deliver,
        ack_wait: consumerConfig.ack_wait,
      });
    }
    const consumer = await this.js.consumers.get(stream, durableName);
    const messages = await consumer.consume({ max_messages: 16 });
    const loop = (async () => {
      for await (const m of messages) {
        let event: DomainEvent;
        try {
          event = parseEvent(decodeJson(m.data));
        } catch (err) {
          this.logger.error({ err, subject: m.subject, seq: m.seq }, 'unreadable event parked');
          m.term();
          continue;
        }
        if (options.types && !options.types.includes(event.type)) {
          m.ack();
          continue;
        }
        const attempt = m.info.deliveryCount;
        const log = this.logger.child({ eventId: event.id, eventType: event.type, consumer: durableName, attempt });
        try {
          await this.track(handler(event, { requestId: event.requestId ?? event.id, logger: log, attempt }));
          m.ack();
          countEvent(durableName, event.type, 'ok');
        } catch (err) {
          if (attempt >= maxDeliver) {
            log.error({ err }, 'event parked after repeated failures');
            countEvent(durableName, event.type, 'parked');
            await notifyParked(options, event, err, log);
            m.term();
          } else {
            log.warn({ err }, 'event handler failed, will retry');
            countEvent(durableName, event.type, 'retry');
            m.nak(redeliveryDelayMs(attempt));
          }
        }
      }
    })().catch((err: unknown) => {
      this.logger.error({ err, consumer: durableName }, 'event consumer stopped unexpectedly');
    });
    // Queue lag for ops: what the stream holds that this consumer has not finished.
    const lagTimer = setInterval(() => {
      this.jsm.consumers
        .info(stream, durableName)
        .then((info) => metrics.consumerPending.set({ consumer: durableName }, info.num_pending + info.num_ack_pending))
        .catch(() => metrics.infraErrors.inc({ system: 'nats' }));
    }, 5000);
    lagTimer.unref();
    return this.remember(async () => {
      clearInterval(lagTimer);
      messages.stop();
      await loop.catch(() => undefined);
      // Make sure the server has seen the unsubscribe of our pull inbox before anyone publishes
      // again: otherwise it may hand the next event to the dead pull request, and that event
      // would only come back after ack_wait.
      if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
    });
  }

  async broadcast(topic: string, data: unknown): Promise<void> {
    this.nc.publish(`${this.namespace}.bcast.${topic}`, encodeJson(data));
    await this.nc.flush();
  }

  onBroadcast(topic: string, handler: (data: unknown) => void, options: BroadcastOptions = {}): Subscription {
    const gap = options.onGap;
    if (gap) this.gapListeners.add(gap);
    const sub = this.nc.subscribe(`${this.namespace}.bcast.${topic}`, {
      callback: (err, msg) => {
        if (err) return;
        try {
          handler(decodeJson(msg.data));
        } catch (e) {
          this.logger.warn({ err: e, topic }, 'broadcast handler failed');
        }
      },
    });
    return this.remember(async () => {
      if (gap) this.gapListeners.delete(gap);
      sub.unsubscribe();
    });
  }

  isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  async drain(): Promise<void> {
    this.micro?.stop();
    for (const sub of [...this.subscriptions]) await sub.stop().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
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
