import { DuplicateKeyError } from './errors.js';
import type { UserRecord, UserRepository } from './user-repository.js';

const copy = (user: UserRecord): UserRecord => ({ ...user, createdAt: new Date(user.createdAt) });

/** In-memory users (embedded mode). Each method is synchronous inside, so every write is atomic. */
export class MemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, UserRecord>();
  private readonly idByEmail = new Map<string, string>();

  async create(user: UserRecord): Promise<UserRecord> {
    if (this.byId.has(user.id)) throw new DuplicateKeyError('id');
    if (this.idByEmail.has(user.email)) throw new DuplicateKeyError('email');
    this.byId.set(user.id, copy(user));
    this.idByEmail.set(user.email, user.id);
    return copy(user);
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const id = this.idByEmail.get(email);
    const user = id === undefined ? undefined : this.byId.get(id);
    return user ? copy(user) : null;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const user = this.byId.get(id);
    return user ? copy(user) : null;
  }

  async findInBusiness(businessId: string, userId: string): Promise<UserRecord | null> {
    const user = this.byId.get(userId);
    return user && user.businessId === businessId ? copy(user) : null;
  }

  async listByBusiness(businessId: string): Promise<UserRecord[]> {
    return [...this.byId.values()]
      .filter((u) => u.businessId === businessId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }

  async markEmailVerified(id: string): Promise<UserRecord | null> {
    const user = this.byId.get(id);
    if (!user) return null;
    user.emailVerified = true;
    return copy(user);
  }

  async applyRegistration(id: string, registration: { passwordHash: string; firstName: string; lastName: string }): Promise<void> {
    const user = this.byId.get(id);
    if (!user) return;
    user.passwordHash = registration.passwordHash;
    user.firstName = registration.firstName;
    user.lastName = registration.lastName;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const user = this.byId.get(id);
    if (user) user.passwordHash = passwordHash;
  }

  async delete(id: string): Promise<void> {
    const user = this.byId.get(id);
    if (!user) return;
    this.byId.delete(id);
    if (this.idByEmail.get(user.email) === id) this.idByEmail.delete(user.email);
  }
}
