import type { Connection } from 'mongoose';
import { MongoBusinessRepository } from './mongo-business-repository.js';
import { MongoInviteRepository } from './mongo-invite-repository.js';
import { MongoUserRepository } from './mongo-user-repository.js';
import { MongoVerificationTokenRepository, passwordResetTokenCollections } from './mongo-verification-token-repository.js';

export interface MongoIdentityStores {
  users: MongoUserRepository;
  businesses: MongoBusinessRepository;
  verifications: MongoVerificationTokenRepository;
  /** Password-reset tokens in `password_reset_tokens` (+ `password_reset_token_claims`). */
  resets: MongoVerificationTokenRepository;
  invites: MongoInviteRepository;
  /** Creates the collections and their indexes (unique email / token hashes). Await before serving. */
  init(): Promise<void>;
  /** True while the connection is open. */
  isReady(): boolean;
}

/** The identity repositories on one mongoose connection (its database is the service's own). */
export function createMongoIdentityStores(connection: Connection): MongoIdentityStores {
  const users = MongoUserRepository.on(connection);
  const businesses = MongoBusinessRepository.on(connection);
  const verifications = MongoVerificationTokenRepository.on(connection);
  const resets = MongoVerificationTokenRepository.on(connection, passwordResetTokenCollections);
  const invites = MongoInviteRepository.on(connection);
  return {
    users,
    businesses,
    verifications,
    resets,
    invites,
    init: async () => {
      await Promise.all([users.init(), businesses.init(), verifications.init(), resets.init(), invites.init()]);
    },
    isReady: () => connection.readyState === 1,
  };
}
