import { DispatchError } from '@dispatch/contracts';
import type { SessionEntity, SessionRepository } from './session-repository.js';

const copy = (s: SessionEntity): SessionEntity => ({
  ...s,
  createdAt: new Date(s.createdAt),
  expiresAt: new Date(s.expiresAt),
  revokedAt: s.revokedAt && new Date(s.revokedAt),
});

/** In-memory sessions (embedded mode and tests). */
export class MemorySessionRepository implements SessionRepository {
  private readonly byId = new Map<string, SessionEntity>();

  async create(session: SessionEntity): Promise<void> {
    if (this.byId.has(session.id)) throw new DispatchError('CONFLICT', 'Session already exists');
    this.byId.set(session.id, copy(session));
  }

  async get(businessId: string, id: string): Promise<SessionEntity | null> {
    const session = this.byId.get(id);
    return session && session.businessId === businessId ? copy(session) : null;
  }

  async revoke(userId: string, id: string, at: Date): Promise<SessionEntity | null> {
    const session = this.byId.get(id);
    if (!session || session.userId !== userId) return null;
    session.revokedAt ??= new Date(at);
    return copy(session);
  }

  async listActiveByUser(userId: string, now: Date): Promise<SessionEntity[]> {
    return [...this.byId.values()]
      .filter((s) => s.userId === userId && s.revokedAt === null && s.expiresAt.getTime() > now.getTime())
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id))
      .map(copy);
  }

  async revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    let revoked = 0;
    for (const session of this.byId.values()) {
      if (session.userId !== userId || session.id === exceptId || session.revokedAt !== null) continue;
      if (session.expiresAt.getTime() <= at.getTime()) continue;
      session.revokedAt = new Date(at);
      revoked++;
    }
    return revoked;
  }

  async deleteExpired(before: Date): Promise<number> {
    let count = 0;
    for (const [id, session] of this.byId) {
      if (session.expiresAt < before) {
        this.byId.delete(id);
        count++;
      }
    }
    return count;
  }
}
