/** An API token as stored: only the sha256 hex of the token string, never the token itself. */
export interface ApiTokenEntity {
  id: string;
  businessId: string;
  /** sha256 hex of the whole token string; unique. */
  tokenHash: string;
  description: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface RevokeResult {
  token: ApiTokenEntity;
  /** True only for the call that revoked it; repeated calls return the record unchanged. */
  changed: boolean;
}

/** What authentication needs of a token (usage data is not read on the hot path). */
export type ApiTokenCredential = Omit<ApiTokenEntity, 'lastUsedAt'>;

export interface LastUse {
  id: string;
  at: Date;
}

/** The port for API tokens. Reads of tenant data take the businessId. */
export interface ApiTokenRepository {
  /** Inserts a new token; a duplicate id or tokenHash throws DispatchError CONFLICT. */
  create(token: ApiTokenEntity): Promise<void>;
  /** The business's token with this id, or null (also for another business's token). */
  get(businessId: string, id: string): Promise<ApiTokenEntity | null>;
  /** The business's tokens, newest first. */
  list(businessId: string): Promise<ApiTokenEntity[]>;
  /** The authentication lookup: the hash is itself the credential, so it is not tenant-scoped. */
  findByHash(tokenHash: string): Promise<ApiTokenCredential | null>;
  /**
   * Revokes in one atomic single-document update. Idempotent: a second call returns the record
   * unchanged (first revokedAt/revokedBy kept) with changed=false. Null when the business has
   * no such token.
   */
  revoke(businessId: string, id: string, revokedBy: string, at: Date): Promise<RevokeResult | null>;
  /**
   * Moves each token's lastUsedAt forward to `at` (never backwards). Must never overwrite any
   * other field: a usage flush racing a revocation must not undo it.
   */
  recordLastUsed(uses: readonly LastUse[]): Promise<void>;
}
