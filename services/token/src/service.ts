import { TOKEN_KEYS_TOPIC, type DomainEvent, type RequestKey } from '@dispatch/contracts';
import type { Bus, Handler, Subscription } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import { resolveTokenServiceConfig, type TokenServiceConfig } from './config.js';
import type { Keyring } from './keys/keyring.js';
import { LastUsedRecorder } from './last-used-recorder.js';
import type { ActivityRepository } from './store/activity-repository.js';
import type { ApiTokenRepository } from './store/api-token-repository.js';
import type { AuditRepository } from './store/audit-repository.js';
import { MemoryActivityRepository } from './store/memory-activity-repository.js';
import { MemoryAuditRepository } from './store/memory-audit-repository.js';
import type { SessionRepository } from './store/session-repository.js';
import type { TokenContext } from './use-cases/context.js';
import { createApiToken } from './use-cases/create-api-token.js';
import { createSession } from './use-cases/create-session.js';
import { getApiToken } from './use-cases/get-api-token.js';
import { listAudit } from './use-cases/list-audit.js';
import { recordUsageEvent } from './use-cases/record-usage.js';
import { detectSuspiciousActivity } from './alerts/detect-suspicious-activity.js';
import { RecentKeys } from './alerts/raise-alert.js';
import { listAlerts } from './alerts/list-alerts.js';
import { effectiveAlertSettings, putAlertSettings, type AlertSettingsDeps } from './alerts/settings.js';
import type { AlertRepository, AlertSettingsRepository } from './store/alert-repository.js';
import { MemoryAlertRepository, MemoryAlertSettingsRepository } from './store/memory-alert-repository.js';
import { ownerEmails } from './use-cases/notify.js';
import { rotateApiToken } from './use-cases/rotate-api-token.js';
import { newSweepState, sweepExpired } from './use-cases/sweep-expired.js';
import { tokenActivity } from './use-cases/token-activity.js';
import { tokenUsage } from './use-cases/token-usage.js';
import { updateApiToken } from './use-cases/update-api-token.js';
import { listApiTokens } from './use-cases/list-api-tokens.js';
import { revokeApiToken } from './use-cases/revoke-api-token.js';
import { revokeSession } from './use-cases/revoke-session.js';
import { listSessions } from './use-cases/list-sessions.js';
import { revokeUserSessions } from './use-cases/revoke-user-sessions.js';
import { validateToken } from './use-cases/validate-token.js';
import { TOKEN_INVALIDATED_TOPIC, TokenInvalidated } from './use-cases/invalidate-api-token.js';
import { ApiTokenCache } from './validation/api-token-cache.js';

export interface TokenServiceDeps {
  bus: Bus;
  logger: Logger;
  apiTokens: ApiTokenRepository;
  sessions: SessionRepository;
  keyring: Keyring;
  /** The audit trail (default: in memory). */
  audit?: AuditRepository;
  /** Token activity, from the edges' `usage.recorded` events (default: in memory). */
  activity?: ActivityRepository;
  /** Raised alerts, one per incident (default: in memory). */
  alerts?: AlertRepository;
  /** Per-business alert thresholds (default: in memory). */
  alertSettings?: AlertSettingsRepository;
  /** Durable consumer name of the usage events (default `token-usage`). */
  usageConsumer?: string;
  /** Missing fields take their defaults (see `defaultTokenServiceConfig`). */
  config?: Partial<TokenServiceConfig>;
  /** The clock (tests move it); defaults to the system clock. */
  now?: () => Date;
  /** Whether the stores are connected, for `token.ping` (default: always). */
  storesReady?: () => boolean;
}

export interface TokenService {
  /** Serves every `token.*` subject and starts the background jobs. */
  start(): Promise<void>;
  /** Stops serving, then writes the pending last-used times. */
  stop(): Promise<void>;
  /** Writes the pending last-used times now. */
  flushLastUsed(): Promise<void>;
  /** Deletes expired sessions now; returns how many. */
  purgeExpiredSessions(): Promise<number>;
  /** Writes audit records for tokens that expired; returns how many were found. */
  sweepExpired(): Promise<number>;
}

type TokenRequestKey = Extract<RequestKey, `token.${string}`>;
/** One handler per `token.*` subject: the compiler fails if a subject is left unserved. */
type TokenHandlers = { [K in TokenRequestKey]: Handler<K> };

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const config = resolveTokenServiceConfig(deps.config);
  const now = deps.now ?? (() => new Date());
  const storesReady = deps.storesReady ?? (() => true);
  const log = deps.logger.child({ component: 'token-service' });
  const audit = deps.audit ?? new MemoryAuditRepository();
  const activity = deps.activity ?? new MemoryActivityRepository();
  const lastUsed = new LastUsedRecorder(deps.apiTokens, log, config.lastUsedFlushMs, audit);
  const tokenCache = new ApiTokenCache({ ttlMs: config.validationCacheTtlMs, maxEntries: config.validationCacheMaxEntries });
  const ctx: TokenContext = {
    keyring: deps.keyring,
    tokenCache,
    apiTokens: deps.apiTokens,
    sessions: deps.sessions,
    config,
    lastUsed,
    audit,
    activity,
    events: deps.bus,
    bus: deps.bus,
    now,
  };
  const alerts = deps.alerts ?? new MemoryAlertRepository();
  const settingsDeps: AlertSettingsDeps = { settings: deps.alertSettings ?? new MemoryAlertSettingsRepository(), defaults: config.alertDefaults, now };
  const detector = {
    alerts,
    published: new RecentKeys(),
    events: deps.bus,
    activity,
    apiTokens: deps.apiTokens,
    now,
    settingsFor: async (businessId: string) => (await effectiveAlertSettings(settingsDeps, businessId)).settings,
    recipients: (businessId: string, requestId: string, logger: Logger) => ownerEmails(ctx, businessId, { requestId, logger }),
  };
  const keys = { kids: [...deps.keyring.kids], activeKid: deps.keyring.active.kid };

  const handlers: TokenHandlers = {
    'token.validate': (req) => validateToken(ctx, req),
    'token.createSession': (req) => createSession(ctx, req),
    'token.revokeSession': (req) => revokeSession(ctx, req),
    'token.listSessions': (req) => listSessions(ctx, req),
    'token.revokeUserSessions': (req) => revokeUserSessions(ctx, req),
    'token.createApiToken': (req, meta) => createApiToken(ctx, req, meta),
    'token.listApiTokens': (req) => listApiTokens(ctx, req),
    'token.revokeApiToken': (req, meta) => revokeApiToken(ctx, req, meta),
    'token.getApiToken': (req) => getApiToken(ctx, req),
    'token.rotateApiToken': (req, meta) => rotateApiToken(ctx, req, meta),
    'token.updateApiToken': (req, meta) => updateApiToken(ctx, req, meta),
    'token.tokenUsage': (req) => tokenUsage(ctx, req),
    'token.tokenActivity': (req) => tokenActivity(ctx, req),
    'token.listAudit': (req) => listAudit(ctx, req),
    'token.getAlertSettings': (req) => effectiveAlertSettings(settingsDeps, req.businessId),
    'token.putAlertSettings': (req) => putAlertSettings(settingsDeps, req),
    'token.listAlerts': (req) => listAlerts(alerts, req),
    'token.keys': async () => keys,
    'token.ping': async () => ({ service: 'token', instance: config.instance, ready: storesReady() }),
  };

  const serve = <K extends TokenRequestKey>(key: K): Subscription => deps.bus.serve(key, handlers[key]);

  let subscriptions: Subscription[] = [];
  let purgeTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let announceTimer: NodeJS.Timeout | undefined;
  let usageConsumer: Subscription | undefined;
  let started = false;

  const sweepState = newSweepState();
  const sweep = async (): Promise<number> => {
    const found = await sweepExpired(ctx, sweepState);
    if (found > 0) log.debug({ found }, 'expired tokens audited');
    return found;
  };
  // Key ids only, never secrets: the edges reject tokens with other kids without asking us.
  const announceKeys = () => deps.bus.broadcast(TOKEN_KEYS_TOPIC, keys).catch((err: unknown) => log.warn({ err }, 'key announcement failed'));

  const purgeExpiredSessions = async (): Promise<number> => {
    const deleted = await deps.sessions.deleteExpired(now());
    if (deleted > 0) log.info({ deleted }, 'expired sessions purged');
    return deleted;
  };

  return {
    async start() {
      if (started) return;
      started = true;
      // Invalidations first: no validation may be served from a cache that cannot hear them.
      const invalidations = deps.bus.onBroadcast(
        TOKEN_INVALIDATED_TOPIC,
        (data) => {
          const parsed = TokenInvalidated.safeParse(data);
          if (parsed.success) return tokenCache.invalidate(parsed.data.tokenId);
          log.warn({ issues: parsed.error.issues.length }, 'malformed token invalidation: cache cleared');
          tokenCache.clear();
        },
        { onGap: () => tokenCache.clear() },
      );
      subscriptions = [invalidations, ...(Object.keys(handlers) as TokenRequestKey[]).map(serve)];
      lastUsed.start();
      purgeTimer = setInterval(() => {
        purgeExpiredSessions().catch((err: unknown) => log.warn({ err }, 'expired session purge failed'));
      }, config.sessionPurgeIntervalMs);
      purgeTimer.unref();
      sweepTimer = setInterval(() => {
        sweep().catch((err: unknown) => log.warn({ err }, 'expiry sweep failed'));
      }, config.expirySweepMs);
      sweepTimer.unref();
      // Activity first, then detection on it: a redelivery stores nothing twice and raises nothing twice.
      const onUsage = async (event: DomainEvent, meta: { logger: Logger }) => {
        await recordUsageEvent(ctx, event);
        await detectSuspiciousActivity(detector, event, meta.logger);
      };
      usageConsumer = await deps.bus.consume(deps.usageConsumer ?? 'token-usage', onUsage, {
        types: ['usage.recorded'],
      });
      await announceKeys();
      announceTimer = setInterval(() => void announceKeys(), config.keysAnnounceMs);
      announceTimer.unref();
    },
    async stop() {
      if (!started) return;
      started = false;
      if (purgeTimer) clearInterval(purgeTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      if (announceTimer) clearInterval(announceTimer);
      purgeTimer = sweepTimer = announceTimer = undefined;
      await usageConsumer?.stop().catch(() => undefined);
      usageConsumer = undefined;
      // After a bus drain these are already stopped; stopping again is harmless.
      await Promise.allSettled(subscriptions.map((s) => s.stop()));
      subscriptions = [];
      tokenCache.clear();
      await lastUsed.stop();
    },
    flushLastUsed: () => lastUsed.flush(),
    purgeExpiredSessions,
    sweepExpired: sweep,
  };
}
