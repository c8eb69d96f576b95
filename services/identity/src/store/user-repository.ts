import type { Role } from '@dispatch/contracts';

export interface UserRecord {
  id: string;
  /** Already normalised (trimmed, lower-cased) by the contract schema; unique. */
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  emailVerified: boolean;
  businessId: string;
  role: Role;
  createdAt: Date;
}

export interface UserRepository {
  /** Inserts a user; throws `DuplicateKeyError('email')` when the address is taken (atomically, by a unique index). */
  create(user: UserRecord): Promise<UserRecord>;
  /** Login lookup: email identifies the account before any tenant is known. */
  findByEmail(email: string): Promise<UserRecord | null>;
  /** The caller's own account, by its id. */
  findById(id: string): Promise<UserRecord | null>;
  /** Tenant-scoped read: the user only when they belong to `businessId`. */
  findInBusiness(businessId: string, userId: string): Promise<UserRecord | null>;
  /** Tenant-scoped list of a business's members, oldest first. */
  listByBusiness(businessId: string): Promise<UserRecord[]>;
  /** Sets emailVerified; returns the updated user, or null when it does not exist. */
  markEmailVerified(id: string): Promise<UserRecord | null>;
  /** Sets the credentials and names of a verified registration attempt (see PendingRegistration). */
  applyRegistration(id: string, registration: { passwordHash: string; firstName: string; lastName: string }): Promise<void>;
  /** Replaces the password hash (re-hash with new parameters). */
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Removes a user (compensation when a multi-step write fails half-way). */
  delete(id: string): Promise<void>;
}
