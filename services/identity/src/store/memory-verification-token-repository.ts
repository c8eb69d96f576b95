import { DuplicateKeyError } from './errors.js';
import type { VerificationTokenRecord, VerificationTokenRepository } from './verification-token-repository.js';

const copy = (t: VerificationTokenRecord): VerificationTokenRecord => ({
  ...t,
  expiresAt: new Date(t.expiresAt),
  usedAt: t.usedAt ? new Date(t.usedAt) : null,
  createdAt: new Date(t.createdAt),
  registration: t.registration ? { ...t.registration } : null,
});

export class MemoryVerificationTokenRepository implements VerificationTokenRepository {
  private readonly byHash = new Map<string, VerificationTokenRecord>();

  async create(token: VerificationTokenRecord): Promise<VerificationTokenRecord> {
    if (this.byHash.has(token.tokenHash)) throw new DuplicateKeyError('tokenHash');
    this.byHash.set(token.tokenHash, copy(token));
    return copy(token);
  }

  async findByHash(tokenHash: string): Promise<VerificationTokenRecord | null> {
    const t = this.byHash.get(tokenHash);
    return t ? copy(t) : null;
  }

  async recordAttempt(tokenHash: string): Promise<VerificationTokenRecord | null> {
    const t = this.byHash.get(tokenHash);
    if (!t) return null;
    t.attempts += 1;
    return copy(t);
  }

  async markUsed(tokenHash: string, now: Date): Promise<VerificationTokenRecord | null> {
    const t = this.byHash.get(tokenHash);
    if (!t || t.usedAt !== null || t.expiresAt.getTime() <= now.getTime()) return null;
    t.usedAt = new Date(now);
    return copy(t);
  }

  async deleteByUser(userId: string): Promise<void> {
    for (const [hash, t] of this.byHash) if (t.userId === userId) this.byHash.delete(hash);
  }

  async markAllUsedByUser(userId: string, now: Date): Promise<number> {
    let marked = 0;
    for (const t of this.byHash.values()) {
      if (t.userId === userId && t.usedAt === null) {
        t.usedAt = new Date(now);
        marked++;
      }
    }
    return marked;
  }
}
