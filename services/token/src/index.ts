export { createTokenService, type TokenService, type TokenServiceDeps } from './service.js';
export {
  defaultTokenServiceConfig,
  loadTokenEnv,
  resolveTokenServiceConfig,
  resolvePlanQuotas,
  planEnvShape,
  tokenTuningEnvShape,
  tokenTuningFromEnv,
  tokenDbName,
  tokenEnvSchema,
  alertDefaultsFromEnv,
  alertEnvShape,
  type TokenEnv,
  type TokenServiceConfig,
} from './config.js';
export {
  KeyringError,
  MIN_SECRET_BYTES,
  createKeyring,
  formatSigningKeys,
  generateKeyring,
  generateSigningKey,
  keyringFromConfig,
  parseSigningKeys,
  type Keyring,
  type SigningKey,
} from './keys/keyring.js';
export { TOKEN_INVALIDATED_TOPIC } from './use-cases/invalidate-api-token.js';
export type {
  ApiTokenCredential,
  ApiTokenEntity,
  ApiTokenRepository,
  CreateOptions,
  LastUse,
  RateLimitChange,
  RevokeResult,
  RotationEntity,
  UsageSummary,
} from './store/api-token-repository.js';
export type { AuditEntity, AuditRepository } from './store/audit-repository.js';
export type { ActivityEntity, ActivityRepository } from './store/activity-repository.js';
export { MemoryAuditRepository } from './store/memory-audit-repository.js';
export { MemoryActivityRepository } from './store/memory-activity-repository.js';
export type { SessionEntity, SessionRepository } from './store/session-repository.js';
export { MemoryApiTokenRepository } from './store/memory-api-token-repository.js';
export { MemorySessionRepository } from './store/memory-session-repository.js';
export { createMongoTokenStores, type TokenStores } from './store/mongo-stores.js';
export type { AlertEntity, AlertRepository, AlertSettingsRepository, StoredAlertSettings } from './store/alert-repository.js';
export { MemoryAlertRepository, MemoryAlertSettingsRepository } from './store/memory-alert-repository.js';
export { defaultAlertSettings } from './alerts/settings.js';
