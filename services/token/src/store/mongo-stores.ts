import type { Connection } from 'mongoose';
import type { ActivityRepository } from './activity-repository.js';
import type { ApiTokenRepository } from './api-token-repository.js';
import type { AuditRepository } from './audit-repository.js';
import { MongoActivityRepository, activityModel } from './mongo-activity-repository.js';
import { MongoAuditRepository, auditModel } from './mongo-audit-repository.js';
import type { SessionRepository } from './session-repository.js';
import type { AlertRepository, AlertSettingsRepository } from './alert-repository.js';
import { MongoAlertRepository, MongoAlertSettingsRepository, alertModels } from './mongo-alert-repository.js';
import { MongoApiTokenRepository, apiTokenModels } from './mongo-api-token-repository.js';
import { MongoSessionRepository, sessionModel } from './mongo-session-repository.js';

export interface TokenStores {
  apiTokens: ApiTokenRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
  activity: ActivityRepository;
  alerts: AlertRepository;
  alertSettings: AlertSettingsRepository;
  /** True while the stores can serve (the MongoDB connection is open). */
  isReady(): boolean;
}

/** The token service's MongoDB repositories on `connection`; creates collections and indexes first. */
export async function createMongoTokenStores(connection: Connection): Promise<TokenStores> {
  const apiTokens = apiTokenModels(connection);
  const sessions = sessionModel(connection);
  const audit = auditModel(connection);
  const activity = activityModel(connection);
  const alerts = alertModels(connection);
  await Promise.all([
    alerts.alerts.init(),
    alerts.settings.init(),
    apiTokens.tokens.init(),
    apiTokens.revocations.init(),
    apiTokens.uses.init(),
    apiTokens.rotations.init(),
    apiTokens.slots.init(),
    apiTokens.quotas.init(),
    sessions.init(),
    audit.init(),
    activity.init(),
  ]);
  return {
    apiTokens: new MongoApiTokenRepository(apiTokens),
    sessions: new MongoSessionRepository(sessions),
    audit: new MongoAuditRepository(audit),
    activity: new MongoActivityRepository(activity),
    alerts: new MongoAlertRepository(alerts.alerts),
    alertSettings: new MongoAlertSettingsRepository(alerts.settings),
    isReady: () => connection.readyState === 1,
  };
}
