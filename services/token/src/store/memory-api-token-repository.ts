import { DispatchError } from '@dispatch/contracts';
import type { ApiTokenEntity, ApiTokenRepository, LastUse, RevokeResult } from './api-token-repository.js';

const copy = (t: ApiTokenEntity): ApiTokenEntity => ({
  ...t,
  createdAt: new Date(t.createdAt),
  lastUsedAt: t.lastUsedAt && new Date(t.lastUsedAt),
  expiresAt: t.expiresAt && new Date(t.expiresAt),
  revokedAt: t.revokedAt && new Date(t.revokedAt),
});

/** In-memory API tokens (embedded mode and tests). */
export class MemoryApiTokenRepository implements ApiTokenRepository {
  private readonly byId = new Map<string, ApiTokenEntity>();
  private readonly idByHash = new Map<string, string>();

  async create(token: ApiTokenEntity): Promise<void> {
    if (this.byId.has(token.id) || this.idByHash.has(token.tokenHash)) {
      throw new DispatchError('CONFLICT', 'Token already exists');
    }
    this.byId.set(token.id, copy(token));
    this.idByHash.set(token.tokenHash, token.id);
  }

  async get(businessId: string, id: string): Promise<ApiTokenEntity | null> {
    const token = this.byId.get(id);
    return token && token.businessId === businessId ? copy(token) : null;
  }

  async list(businessId: string): Promise<ApiTokenEntity[]> {
    return [...this.byId.values()]
      .filter((t) => t.businessId === businessId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map(copy);
  }

  async findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    const id = this.idByHash.get(tokenHash);
    const token = id === undefined ? undefined : this.byId.get(id);
    return token ? copy(token) : null;
  }

  async revoke(businessId: string, id: string, revokedBy: string, at: Date): Promise<RevokeResult | null> {
    const token = this.byId.get(id);
    if (!token || token.businessId !== businessId) return null;
    if (token.revokedAt) return { token: copy(token), changed: false };
    token.revokedAt = new Date(at);
    token.revokedBy = revokedBy;
    return { token: copy(token), changed: true };
  }

  async recordLastUsed(uses: readonly LastUse[]): Promise<void> {
    for (const use of uses) {
      const token = this.byId.get(use.id);
      if (token && (!token.lastUsedAt || token.lastUsedAt < use.at)) token.lastUsedAt = new Date(use.at);
    }
  }
}
