import { MemoryBusinessRepository } from './memory-business-repository.js';
import { MemoryInviteRepository } from './memory-invite-repository.js';
import { MemoryUserRepository } from './memory-user-repository.js';
import { MemoryVerificationTokenRepository } from './memory-verification-token-repository.js';

export interface MemoryIdentityStores {
  users: MemoryUserRepository;
  businesses: MemoryBusinessRepository;
  verifications: MemoryVerificationTokenRepository;
  /** Password-reset tokens (same shape and rules as verification tokens). */
  resets: MemoryVerificationTokenRepository;
  invites: MemoryInviteRepository;
}

/** Fresh in-memory identity repositories (embedded mode, tests). */
export function createMemoryIdentityStores(): MemoryIdentityStores {
  return {
    users: new MemoryUserRepository(),
    businesses: new MemoryBusinessRepository(),
    verifications: new MemoryVerificationTokenRepository(),
    resets: new MemoryVerificationTokenRepository(),
    invites: new MemoryInviteRepository(),
  };
}
