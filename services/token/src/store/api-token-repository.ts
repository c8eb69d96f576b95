import type { RateLimitOverride } from '@dispatch/contracts';

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
  /** What the token may call (`*` = full access). */
  scopes: string[];
  /** Optional reason given at revocation. */
  revocationReason: string | null;
  /** The token this one replaced by rotation, if any (written once, at creation). */
  rotatedFrom: string | null;
  /** The quota override given at creation (null: the plan's default). Later changes are `RateLimitChange`s. */
  rateLimit: RateLimitOverride | null;
}

/**
 * A change of a token's quota (PATCH), stored apart from the token (insert-only: FerretDB
 * updates are not atomic, and a quota change must never write back a stale, unrevoked token).
 * The latest change wins; `rateLimit: null` means back to the plan's default.
 */
export interface RateLimitChange {
  tokenId: string;
  businessId: string;
  rateLimit: RateLimitOverride | null;
  changedBy: string;
  at: Date;
}

export interface RevokeResult {
  token: ApiTokenEntity;
  /** True only for the call that revoked it; repeated calls return the record unchanged. */
  changed: boolean;
}

/** What authentication needs of a token (usage data is not read on the hot path). */
export type ApiTokenCredential = Omit<ApiTokenEntity, 'lastUsedAt'>;

/** One flush of one token's uses: when it was last used and how many calls (in grace: after its rotation). */
export interface LastUse {
  id: string;
  at: Date;
  /** Calls in this flush (default 1). */
  count?: number;
  /** Of which made after the token was rotated (default 0). */
  graceCount?: number;
}

export interface UsageSummary {
  lastUsedAt: Date | null;
  /** Calls recorded as made after the token was rotated. */
  graceCalls: number;
}

/**
 * A rotation: `tokenId` was replaced by `newTokenId` and keeps working until `graceEndsAt`.
 * Kept apart from the token document (FerretDB updates are not atomic); the first rotation
 * of a token wins by a unique insert.
 */
export interface RotationEntity {
  tokenId: string;
  businessId: string;
  newTokenId: string;
  rotatedBy: string;
  rotatedAt: Date;
  graceEndsAt: Date;
}

export interface RotationResult {
  rotation: RotationEntity;
  /** False when the token had already been rotated (the recorded rotation is returned). */
  changed: boolean;
}

export interface CreateOptions {
  /**
   * The business's cap on active tokens: the insert claims one of `maxActive` slots (a unique
   * insert per slot and generation, so the cap is exact under concurrency) or throws
   * DispatchError CONFLICT. Omitted: no cap.
   */
  maxActive?: number;
  /** The token this one replaces (rotation): it takes over that token's slot, never failing on the cap. */
  replaces?: string;
  /** The clock, to tell expired slot holders (default: now). */
  now?: Date;
}

/** The port for API tokens. Reads of tenant data take the businessId. */
export interface ApiTokenRepository {
  /** Inserts a new token; a duplicate id or tokenHash throws DispatchError CONFLICT; so does a full cap. */
  create(token: ApiTokenEntity, options?: CreateOptions): Promise<void>;
  /** The business's token with this id, or null (also for another business's token). */
  get(businessId: string, id: string): Promise<ApiTokenEntity | null>;
  /** The business's tokens, newest first. */
  list(businessId: string): Promise<ApiTokenEntity[]>;
  /** The authentication lookup: the hash is itself the credential, so it is not tenant-scoped. */
  findByHash(tokenHash: string): Promise<ApiTokenCredential | null>;
  /**
   * Revokes in one atomic single-document update. Idempotent: a second call returns the record
   * unchanged (first revokedAt/revokedBy/reason kept) with changed=false. Null when the business
   * has no such token.
   */
  revoke(businessId: string, id: string, revokedBy: string, at: Date, reason?: string | null): Promise<RevokeResult | null>;
  /**
   * Records uses as insert-only documents (one per token per flush), never a read-modify-write:
   * concurrent flushes of several instances all count, and a flush can never undo a revocation.
   * lastUsedAt is the latest `at` recorded (it never moves backwards).
   */
  recordLastUsed(uses: readonly LastUse[]): Promise<void>;
  /** Last use and calls after rotation, per token id (tokens without uses are absent). */
  usage(ids: readonly string[]): Promise<Map<string, UsageSummary>>;
  /** Records a rotation; the first one per token wins (changed=false and the recorded one otherwise). */
  recordRotation(rotation: RotationEntity): Promise<RotationResult>;
  /** Rotations of these tokens, by token id. */
  rotations(ids: readonly string[]): Promise<Map<string, RotationEntity>>;
  /** Stores a quota change (insert-only; the latest one per token wins). */
  recordRateLimit(change: RateLimitChange): Promise<void>;
  /** The latest quota change of these tokens, by token id (tokens never changed are absent). */
  rateLimits(ids: readonly string[]): Promise<Map<string, RateLimitOverride | null>>;
  /** Tokens whose own expiresAt lies in (from, to]. */
  expiredBetween(from: Date, to: Date): Promise<ApiTokenCredential[]>;
  /** Rotations whose grace period ended in (from, to]. */
  graceEndedBetween(from: Date, to: Date): Promise<RotationEntity[]>;
}
