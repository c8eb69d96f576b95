import type { RequestKey } from '@dispatch/contracts';
import type { Bus, Handler, Subscription } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import { resolveTokenServiceConfig, type TokenServiceConfig } from './config.js';
import type { Keyring } from './keys/keyring.js';
import { LastUsedRecorder } from './last-used-recorder.js';
import type { ApiTokenRepository } from './store/api-token-repository.js';
import type { SessionRepository } from './store/session-repository.js';
import type { TokenContext } from './use-cases/context.js';
import { createApiToken } from './use-cases/create-api-token.js';
import { createSession } from './use-cases/create-session.js';
import { listApiTokens } from './use-cases/list-api-tokens.js';
import { revokeApiToken } from './use-cases/revoke-api-token.js';
import { revokeSession } from './use-cases/revoke-session.js';
import { validateToken } from './use-cases/validate-token.js';

export interface TokenServiceDeps {
  bus: Bus;
  logger: Logger;
  apiTokens: ApiTokenRepository;
  sessions: SessionRepository;
  keyring: Keyring;
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
}

type TokenRequestKey = Extract<RequestKey, `token.${string}`>;
/** One handler per `token.*` subject: the compiler fails if a subject is left unserved. */
type TokenHandlers = { [K in TokenRequestKey]: Handler<K> };

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const config = resolveTokenServiceConfig(deps.config);
  const now = deps.now ?? (() => new Date());
  const storesReady = deps.storesReady ?? (() => true);
  const log = deps.logger.child({ component: 'token-service' });
  const lastUsed = new LastUsedRecorder(deps.apiTokens, log, config.lastUsedFlushMs);
  const ctx: TokenContext = {
    keyring: deps.keyring,
    apiTokens: deps.apiTokens,
    sessions: deps.sessions,
    config,
    lastUsed,
    events: deps.bus,
    now,
  };

  const handlers: TokenHandlers = {
    'token.validate': (req) => validateToken(ctx, req),
    'token.createSession': (req) => createSession(ctx, req),
    'token.revokeSession': (req) => revokeSession(ctx, req),
    'token.createApiToken': (req, meta) => createApiToken(ctx, req, meta),
    'token.listApiTokens': (req) => listApiTokens(ctx, req),
    'token.revokeApiToken': (req, meta) => revokeApiToken(ctx, req, meta),
    'token.ping': async () => ({ service: 'token', instance: config.instance, ready: storesReady() }),
  };

  const serve = <K extends TokenRequestKey>(key: K): Subscription => deps.bus.serve(key, handlers[key]);

  let subscriptions: Subscription[] = [];
  let purgeTimer: NodeJS.Timeout | undefined;
  let started = false;

  const purgeExpiredSessions = async (): Promise<number> => {
    const deleted = await deps.sessions.deleteExpired(now());
    if (deleted > 0) log.info({ deleted }, 'expired sessions purged');
    return deleted;
  };

  return {
    async start() {
      if (started) return;
      started = true;
      subscriptions = (Object.keys(handlers) as TokenRequestKey[]).map(serve);
      lastUsed.start();
      purgeTimer = setInterval(() => {
        purgeExpiredSessions().catch((err: unknown) => log.warn({ err }, 'expired session purge failed'));
      }, config.sessionPurgeIntervalMs);
      purgeTimer.unref();
    },
    async stop() {
      if (!started) return;
      started = false;
      if (purgeTimer) clearInterval(purgeTimer);
      purgeTimer = undefined;
      // After a bus drain these are already stopped; stopping again is harmless.
      await Promise.allSettled(subscriptions.map((s) => s.stop()));
      subscriptions = [];
      await lastUsed.stop();
    },
    flushLastUsed: () => lastUsed.flush(),
    purgeExpiredSessions,
  };
}
