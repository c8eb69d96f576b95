import type { Role } from '@dispatch/contracts';

export interface InviteRecord {
  id: string;
  /** sha256 (hex) of the invite token; unique. */
  tokenHash: string;
  businessId: string;
  email: string;
  role: Role;
  invitedBy: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export interface InviteRepository {
  /** Throws `DuplicateKeyError` on an id or token-hash collision. */
  create(invite: InviteRecord): Promise<InviteRecord>;
  /** Lookup by the secret's hash (the token is the capability; the tenant comes from the record). */
  findByTokenHash(tokenHash: string): Promise<InviteRecord | null>;
  /** Tenant-scoped read. */
  findInBusiness(businessId: string, inviteId: string): Promise<InviteRecord | null>;
  /** Tenant-scoped list, oldest first. */
  listByBusiness(businessId: string): Promise<InviteRecord[]>;
  /**
   * Claims the invite atomically: sets usedAt=now only when it is unused and unexpired at `now`.
   * Returns the updated record; null when unknown, already used (also by a concurrent call) or expired.
   */
  markUsed(inviteId: string, now: Date): Promise<InviteRecord | null>;
  /** Undoes a claim made at `usedAt` (compensation when the account could not be created). */
  releaseUse(inviteId: string, usedAt: Date): Promise<void>;
  delete(inviteId: string): Promise<void>;
}
