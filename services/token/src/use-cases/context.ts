import type { Bus } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import type { Keyring } from '../keys/keyring.js';
import type { TokenServiceConfig } from '../config.js';
import type { LastUsedRecorder } from '../last-used-recorder.js';
import type { ActivityRepository } from '../store/activity-repository.js';
import type { ApiTokenRepository } from '../store/api-token-repository.js';
import type { AuditRepository } from '../store/audit-repository.js';
import type { SessionRepository } from '../store/session-repository.js';
import type { ApiTokenCache } from '../validation/api-token-cache.js';

/** What the use cases work with. */
export interface TokenContext {
  keyring: Keyring;
  apiTokens: ApiTokenRepository;
  sessions: SessionRepository;
  config: TokenServiceConfig;
  lastUsed: Pick<LastUsedRecorder, 'record' | 'recordRejected'>;
  audit: AuditRepository;
  activity: ActivityRepository;
  /** API-token records for validation; every change that ends a token's validity invalidates it (`invalidateApiToken`). */
  tokenCache: ApiTokenCache;
  /** Events and cache invalidation. */
  events: Pick<Bus, 'publish' | 'broadcast'>;
  /** Requests to other services (identity, for the owners to notify). */
  bus: Pick<Bus, 'request'>;
  now(): Date;
}

/** Per-request context: correlation id and a logger bound to it. */
export interface RequestMeta {
  requestId: string;
  logger: Logger;
}
