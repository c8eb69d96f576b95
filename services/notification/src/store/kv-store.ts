/** One stored value and its revision (compare-and-set). */
export interface KvEntry {
  value: string;
  revision: number;
}

/**
 * The notification service's small durable store: delivery claims (idempotency by event id),
 * alert webhooks and parked notifications. JetStream KV in mesh mode, a Map in embedded mode;
 * both pass one contract suite (`kv-store.test-suite.ts`).
 * Keys: letters, digits and `-_=.` (NATS KV key rules).
 */
export interface KvStore {
  /** Stores the value only when the key is absent (or deleted): true when this call created it. Atomic. */
  create(key: string, value: string): Promise<boolean>;
  get(key: string): Promise<KvEntry | undefined>;
  /** Replaces the value only when the key is still at `revision`: true when it did. Atomic. */
  update(key: string, value: string, revision: number): Promise<boolean>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix` followed by a dot, e.g. `parked` → `parked.…`. */
  keys(prefix: string): Promise<string[]>;
}
