export { createIdentityService, type IdentityService, type IdentityServiceDeps } from './service.js';
export {
  identityEnvSchema,
  identityEnvironment,
  resolveIdentityConfig,
  settingsFromEnv,
  type IdentityConfig,
  type IdentityConfigInput,
  type IdentityEnv,
  type IdentitySettings,
} from './config.js';
export { PasswordHasher, defaultScryptParams, type ScryptParams } from './passwords/index.js';

export type { UserRecord, UserRepository } from './store/user-repository.js';
export type { BusinessRecord, BusinessRepository } from './store/business-repository.js';
export type {
  PasswordResetTokenRecord,
  PasswordResetTokenRepository,
  VerificationTokenRecord,
  VerificationTokenRepository,
} from './store/verification-token-repository.js';
export type { InviteRecord, InviteRepository } from './store/invite-repository.js';
export { DuplicateKeyError, isDuplicateKeyError } from './store/errors.js';

export { MemoryUserRepository } from './store/memory-user-repository.js';
export { MemoryBusinessRepository } from './store/memory-business-repository.js';
export { MemoryVerificationTokenRepository } from './store/memory-verification-token-repository.js';
export { MemoryInviteRepository } from './store/memory-invite-repository.js';
export { createMemoryIdentityStores, type MemoryIdentityStores } from './store/memory-stores.js';

export { MongoUserRepository } from './store/mongo-user-repository.js';
export { MongoBusinessRepository } from './store/mongo-business-repository.js';
export {
  MongoVerificationTokenRepository,
  passwordResetTokenCollections,
  verificationTokenCollections,
  type SingleUseTokenCollections,
} from './store/mongo-verification-token-repository.js';
export { MongoInviteRepository } from './store/mongo-invite-repository.js';
export { createMongoIdentityStores, type MongoIdentityStores } from './store/mongo-stores.js';
