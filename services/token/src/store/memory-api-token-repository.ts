import { DispatchError, type RateLimitOverride } from '@dispatch/contracts';
import type {
  ApiTokenCredential,
  ApiTokenEntity,
  ApiTokenRepository,
  CreateOptions,
  LastUse,
  RateLimitChange,
  RevokeResult,
  RotationEntity,
  RotationResult,
  UsageSummary,
} from './api-token-repository.js';
import { capReached, currentHolders, freeSlot, holderActive, type SlotClaim } from './slots.js';

const copy = (t: ApiTokenEntity): ApiTokenEntity => ({
  ...t,
  createdAt: new Date(t.createdAt),
  lastUsedAt: t.lastUsedAt && new Date(t.lastUsedAt),
  expiresAt: t.expiresAt && new Date(t.expiresAt),
  revokedAt: t.revokedAt && new Date(t.revokedAt),
  scopes: [...t.scopes],
  rateLimit: t.rateLimit ? { ...t.rateLimit } : null,
});

const copyRotation = (r: RotationEntity): RotationEntity => ({ ...r, rotatedAt: new Date(r.rotatedAt), graceEndsAt: new Date(r.graceEndsAt) });

const withoutLastUsed = (t: ApiTokenEntity): ApiTokenCredential => {
  const { lastUsedAt: _omit, ...credential } = copy(t);
  return credential;
};

/** In-memory API tokens (embedded mode and tests). */
export class MemoryApiTokenRepository implements ApiTokenRepository {
  private readonly byId = new Map<string, ApiTokenEntity>();
  private readonly idByHash = new Map<string, string>();
  /** Memory needs no insert-only log: one process, no concurrent writers. */
  private readonly usageById = new Map<string, UsageSummary>();
  private readonly rotationsById = new Map<string, RotationEntity>();
  private readonly slots = new Map<string, SlotClaim[]>();
  private readonly rateLimitById = new Map<string, { rateLimit: RateLimitOverride | null; at: Date }>();

  async create(token: ApiTokenEntity, options: CreateOptions = {}): Promise<void> {
    if (this.byId.has(token.id) || this.idByHash.has(token.tokenHash)) {
      throw new DispatchError('CONFLICT', 'Token already exists');
    }
    if (options.maxActive !== undefined || options.replaces !== undefined) this.claimSlot(token, options);
    this.byId.set(token.id, { ...copy(token), lastUsedAt: null });
    this.idByHash.set(token.tokenHash, token.id);
    if (token.lastUsedAt) await this.recordLastUsed([{ id: token.id, at: token.lastUsedAt, count: 0 }]);
  }

  private claimSlot(token: ApiTokenEntity, options: CreateOptions): void {
    const now = options.now ?? new Date();
    const claims = this.slots.get(token.businessId) ?? [];
    this.slots.set(token.businessId, claims);
    const holders = currentHolders(claims);
    const claim = (slot: number, gen: number): void => void claims.push({ slot, gen, tokenId: token.id, claimedAt: now });
    if (options.replaces !== undefined) {
      const held = [...holders.values()].find((c) => c.tokenId === options.replaces);
      if (held) return claim(held.slot, held.gen + 1);
    }
    if (options.maxActive === undefined) return;
    const free = freeSlot(holders, (c) => holderActive(c, this.byId.get(c.tokenId), now), options.maxActive);
    if (free) return claim(free.slot, free.gen);
    if (options.replaces === undefined) throw capReached(options.maxActive);
  }

  async get(businessId: string, id: string): Promise<ApiTokenEntity | null> {
    const token = this.byId.get(id);
    return token && token.businessId === businessId ? this.withUsage(token) : null;
  }

  async list(businessId: string): Promise<ApiTokenEntity[]> {
    return [...this.byId.values()]
      .filter((t) => t.businessId === businessId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((t) => this.withUsage(t));
  }

  async findByHash(tokenHash: string): Promise<ApiTokenCredential | null> {
    const id = this.idByHash.get(tokenHash);
    const token = id === undefined ? undefined : this.byId.get(id);
    return token ? withoutLastUsed(token) : null;
  }

  async revoke(businessId: string, id: string, revokedBy: string, at: Date, reason: string | null = null): Promise<RevokeResult | null> {
    const token = this.byId.get(id);
    if (!token || token.businessId !== businessId) return null;
    if (token.revokedAt) return { token: this.withUsage(token), changed: false };
    token.revokedAt = new Date(at);
    token.revokedBy = revokedBy;
    token.revocationReason = reason;
    return { token: this.withUsage(token), changed: true };
  }

  async recordLastUsed(uses: readonly LastUse[]): Promise<void> {
    for (const use of uses) {
      const s = this.usageById.get(use.id) ?? { lastUsedAt: null, graceCalls: 0 };
      if (!s.lastUsedAt || s.lastUsedAt < use.at) s.lastUsedAt = new Date(use.at);
      s.graceCalls += use.graceCount ?? 0;
      this.usageById.set(use.id, s);
    }
  }

  async usage(ids: readonly string[]): Promise<Map<string, UsageSummary>> {
    const summary = new Map<string, UsageSummary>();
    for (const id of ids) {
      const s = this.usageById.get(id);
      if (s) summary.set(id, { lastUsedAt: s.lastUsedAt && new Date(s.lastUsedAt), graceCalls: s.graceCalls });
    }
    return summary;
  }

  async recordRotation(rotation: RotationEntity): Promise<RotationResult> {
    const existing = this.rotationsById.get(rotation.tokenId);
    if (existing) return { rotation: copyRotation(existing), changed: false };
    this.rotationsById.set(rotation.tokenId, copyRotation(rotation));
    return { rotation: copyRotation(rotation), changed: true };
  }

  async rotations(ids: readonly string[]): Promise<Map<string, RotationEntity>> {
    const out = new Map<string, RotationEntity>();
    for (const id of ids) {
      const r = this.rotationsById.get(id);
      if (r) out.set(id, copyRotation(r));
    }
    return out;
  }

  async recordRateLimit(change: RateLimitChange): Promise<void> {
    const current = this.rateLimitById.get(change.tokenId);
    if (current && current.at > change.at) return;
    this.rateLimitById.set(change.tokenId, { rateLimit: change.rateLimit ? { ...change.rateLimit } : null, at: new Date(change.at) });
  }

  async rateLimits(ids: readonly string[]): Promise<Map<string, RateLimitOverride | null>> {
    const out = new Map<string, RateLimitOverride | null>();
    for (const id of ids) {
      const change = this.rateLimitById.get(id);
      if (change) out.set(id, change.rateLimit ? { ...change.rateLimit } : null);
    }
    return out;
  }

  async expiredBetween(from: Date, to: Date): Promise<ApiTokenCredential[]> {
    return [...this.byId.values()]
      .filter((t) => t.expiresAt && t.expiresAt > from && t.expiresAt <= to)
      .map(withoutLastUsed);
  }

  async graceEndedBetween(from: Date, to: Date): Promise<RotationEntity[]> {
    return [...this.rotationsById.values()].filter((r) => r.graceEndsAt > from && r.graceEndsAt <= to).map(copyRotation);
  }

  private withUsage(token: ApiTokenEntity): ApiTokenEntity {
    const last = this.usageById.get(token.id)?.lastUsedAt ?? null;
    return { ...copy(token), lastUsedAt: last && new Date(last) };
  }
}
