import type { NatsBus } from '@dispatch/bus';
import type { KvEntry, KvStore } from './kv-store.js';

type NatsConnection = NatsBus['nc'];
type KV = Awaited<ReturnType<ReturnType<NatsConnection['jetstream']>['views']['kv']>>;

/** The KV bucket of a namespace's notification service: delivery claims and parked records (expiring). */
export const notificationBucketName = (namespace: string): string => `dispatch_notification_${namespace.replace(/[^A-Za-z0-9_-]/g, '_')}`;
/** The KV bucket of a namespace's alert webhooks (kept until replaced or deleted). */
export const webhookBucketName = (namespace: string): string => `dispatch_webhooks_${namespace.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export interface JetStreamKvOptions {
  /** How long entries are kept (delivery claims need to outlive the event stream's retention); 0 = forever. */
  ttlMs: number;
  /** Bucket name (default: `notificationBucketName(namespace)`). */
  bucket?: string;
}

/**
 * KvStore on a JetStream KV bucket (`nats kv ls dispatch_notification_<ns>`): create and
 * update are compare-and-set on the server, so two instances never both win a claim.
 */
export class JetStreamKvStore implements KvStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, namespace: string, options: JetStreamKvOptions): Promise<JetStreamKvStore> {
    const kv = await nc.jetstream().views.kv(options.bucket ?? notificationBucketName(namespace), { history: 1, ttl: options.ttlMs });
    return new JetStreamKvStore(kv);
  }

  async create(key: string, value: string): Promise<boolean> {
    try {
      await this.kv.create(key, value);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const e = await this.kv.get(key);
    if (!e || e.operation !== 'PUT') return undefined;
    return { value: e.string(), revision: e.revision };
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    try {
      await this.kv.update(key, value, revision);
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  async put(key: string, value: string): Promise<void> {
    await this.kv.put(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const iter = await this.kv.keys(`${prefix}.>`);
    for await (const k of iter) out.push(k);
    return out;
  }
}

/** JetStream's answer to a create/update whose expectation failed (err 10071 "wrong last sequence"). */
function isWrongLastSequence(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { api_error?: { err_code?: number } }).api_error?.err_code;
  return code === 10071 || /wrong last sequence/i.test(message);
}
