export interface VerificationTokenRecord {
  /** sha256 (hex) of the token mailed to the user; unique. The token itself is never stored. */
  tokenHash: string;
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
  /** How many times this token was presented. */
  attempts: number;
  createdAt: Date;
  /**
   * The registration attempt this token confirms (verification tokens only): verifying applies
   * these credentials, so whoever registered an address cannot keep it when its owner verifies
   * their own attempt (pre-registration hijacking). Absent/null: the account's credentials stay.
   */
  registration?: PendingRegistration | null;
}

/** What one `POST /api/user/register` asked for, kept until its emailed token is used. */
export interface PendingRegistration {
  /** scrypt hash, never the password. */
  passwordHash: string;
  firstName: string;
  lastName: string;
}

export interface VerificationTokenRepository {
  /** Throws `DuplicateKeyError('tokenHash')` on a hash collision. */
  create(token: VerificationTokenRecord): Promise<VerificationTokenRecord>;
  findByHash(tokenHash: string): Promise<VerificationTokenRecord | null>;
  /** Counts one presentation of the token (atomic $inc); returns the record after the update, or null when unknown. */
  recordAttempt(tokenHash: string): Promise<VerificationTokenRecord | null>;
  /**
   * Marks the token used, atomically, only when it is unused and unexpired at `now`.
   * Returns the updated record; null when it was unknown, already used (e.g. by a concurrent call) or expired.
   */
  markUsed(tokenHash: string, now: Date): Promise<VerificationTokenRecord | null>;
  /** Removes every token of a user. */
  deleteByUser(userId: string): Promise<void>;
  /**
   * Marks every still-unused token of a user used at `now` (e.g. the other reset links once the
   * password has changed), so they answer "used" from then on. Returns how many it marked.
   */
  markAllUsedByUser(userId: string, now: Date): Promise<number>;
}

/** Password-reset tokens have the very same shape and rules (sha256 at rest, single use, expiry). */
export type PasswordResetTokenRecord = VerificationTokenRecord;
export type PasswordResetTokenRepository = VerificationTokenRepository;
