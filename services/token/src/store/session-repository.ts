import type { Role } from '@dispatch/contracts';

/** A user session as stored: only the sha256 hex of its token. */
export interface SessionEntity {
  id: string;
  userId: string;
  businessId: string;
  role: Role;
  /** sha256 hex of the whole session token string. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** The port for sessions. Reads take the businessId, or the owning userId (logout, the user's own session list). */
export interface SessionRepository {
  /** Inserts a new session; a duplicate id throws DispatchError CONFLICT. */
  create(session: SessionEntity): Promise<void>;
  /** The business's session with this id, or null. */
  get(businessId: string, id: string): Promise<SessionEntity | null>;
  /**
   * Revokes the user's session in one atomic update. Idempotent (first revokedAt kept).
   * Null when the session does not exist or belongs to another user.
   */
  revoke(userId: string, id: string, at: Date): Promise<SessionEntity | null>;
  /** Deletes sessions that expired before `before` (no TTL indexes on FerretDB); returns the count. */
  deleteExpired(before: Date): Promise<number>;
  /** The user's sessions that are neither revoked nor expired at `now`, newest first. */
  listActiveByUser(userId: string, now: Date): Promise<SessionEntity[]>;
  /**
   * Revokes every session of the user that is active at `at`, except `exceptId` when given
   * (password change keeps the current session). Returns how many it revoked.
   */
  revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<number>;
}
