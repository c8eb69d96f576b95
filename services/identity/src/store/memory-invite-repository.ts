import { DuplicateKeyError } from './errors.js';
import type { InviteRecord, InviteRepository } from './invite-repository.js';

const copy = (i: InviteRecord): InviteRecord => ({
  ...i,
  expiresAt: new Date(i.expiresAt),
  usedAt: i.usedAt ? new Date(i.usedAt) : null,
  createdAt: new Date(i.createdAt),
});

export class MemoryInviteRepository implements InviteRepository {
  private readonly byId = new Map<string, InviteRecord>();
  private readonly idByHash = new Map<string, string>();

  async create(invite: InviteRecord): Promise<InviteRecord> {
    if (this.byId.has(invite.id)) throw new DuplicateKeyError('id');
    if (this.idByHash.has(invite.tokenHash)) throw new DuplicateKeyError('tokenHash');
    this.byId.set(invite.id, copy(invite));
    this.idByHash.set(invite.tokenHash, invite.id);
    return copy(invite);
  }

  async findByTokenHash(tokenHash: string): Promise<InviteRecord | null> {
    const id = this.idByHash.get(tokenHash);
    const invite = id === undefined ? undefined : this.byId.get(id);
    return invite ? copy(invite) : null;
  }

  async findInBusiness(businessId: string, inviteId: string): Promise<InviteRecord | null> {
    const invite = this.byId.get(inviteId);
    return invite && invite.businessId === businessId ? copy(invite) : null;
  }

  async listByBusiness(businessId: string): Promise<InviteRecord[]> {
    return [...this.byId.values()]
      .filter((i) => i.businessId === businessId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }

  async markUsed(inviteId: string, now: Date): Promise<InviteRecord | null> {
    const invite = this.byId.get(inviteId);
    if (!invite || invite.usedAt !== null || invite.expiresAt.getTime() <= now.getTime()) return null;
    invite.usedAt = new Date(now);
    return copy(invite);
  }

  async releaseUse(inviteId: string, usedAt: Date): Promise<void> {
    const invite = this.byId.get(inviteId);
    if (invite?.usedAt && invite.usedAt.getTime() === usedAt.getTime()) invite.usedAt = null;
  }

  async delete(inviteId: string): Promise<void> {
    const invite = this.byId.get(inviteId);
    if (!invite) return;
    this.byId.delete(inviteId);
    if (this.idByHash.get(invite.tokenHash) === inviteId) this.idByHash.delete(invite.tokenHash);
  }
}
