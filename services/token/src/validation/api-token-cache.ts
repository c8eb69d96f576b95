import { metrics } from '@dispatch/runtime';
import type { RateLimitOverride } from '@dispatch/contracts';
import type { ApiTokenCredential, RotationEntity } from '../store/api-token-repository.js';

/** What validation needs of an API token: its record and its rotation, if any. */
export interface CachedApiToken {
  token: ApiTokenCredential;
  rotation: RotationEntity | undefined;
  /** Its latest quota change (undefined: never changed). */
  rateLimitChange?: RateLimitOverride | null | undefined;
}

export interface ApiTokenCacheOptions {
  /** How long an entry is trusted without an invalidation (0 = no cache). */
  ttlMs: number;
  /** Bound on the entries kept; the least recently used goes first. */
  maxEntries: number;
  now?: () => number;
}

/**
 * The token service's per-instance cache of API-token records, by token hash, so a validation
 * that hits it needs no database read. It stays correct because every change that can make a
 * token stop working or change its quota (revoke, rotate, quota change) invalidates it on every instance before the change is
 * acknowledged (see ADR 0005): locally at once, elsewhere by a broadcast the changer flushes to
 * NATS before it replies. Fills are guarded by a generation: a read that began before an
 * invalidation is never cached, so a stale record cannot come back. The TTL bounds any entry
 * an invalidation could not reach (e.g. one lost while this instance was cut off from NATS,
 * which also clears the cache).
 */
export class ApiTokenCache {
  private readonly entries = new Map<string, { value: CachedApiToken; expiresAt: number }>();
  private readonly hashById = new Map<string, string>();
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: ApiTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The generation to pass to `set` for a read that starts now. */
  snapshot(): number {
    return this.generation;
  }

  get(tokenHash: string): CachedApiToken | undefined {
    if (!this.enabled) return undefined;
    const entry = this.entries.get(tokenHash);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.remove(tokenHash, entry.value.token.id);
      metrics.validationCache.inc({ result: 'miss' });
      return undefined;
    }
    // Most recently used last: the eviction below takes the first key.
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, entry);
    metrics.validationCache.inc({ result: 'hit' });
    return entry.value;
  }

  /** Caches a record read since `snapshot()` returned `generation`, unless an invalidation came in between. */
  set(tokenHash: string, value: CachedApiToken, generation: number): void {
    if (!this.enabled || generation !== this.generation) return;
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest, this.entries.get(oldest)?.value.token.id);
    }
    this.entries.set(tokenHash, { value, expiresAt: this.now() + this.options.ttlMs });
    this.hashById.set(value.token.id, tokenHash);
  }

  /** Drops a token's entry and voids every read in flight. */
  invalidate(tokenId: string): void {
    this.generation++;
    const hash = this.hashById.get(tokenId);
    if (hash !== undefined) this.remove(hash, tokenId);
  }

  /** Drops everything (e.g. invalidations may have been missed). */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.hashById.clear();
  }

  private remove(tokenHash: string, tokenId: string | undefined): void {
    this.entries.delete(tokenHash);
    if (tokenId !== undefined && this.hashById.get(tokenId) === tokenHash) this.hashById.delete(tokenId);
  }
}
