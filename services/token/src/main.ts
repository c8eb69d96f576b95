import mongoose, { type Connection } from 'mongoose';
import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, metrics, runMain, startOpsServer } from '@dispatch/runtime';
import { alertDefaultsFromEnv, loadTokenEnv, resolvePlanQuotas, tokenDbName, tokenTuningFromEnv } from './config.js';
import { keyringFromConfig } from './keys/keyring.js';
import { createTokenService } from './service.js';
import { createMongoTokenStores } from './store/mongo-stores.js';

/** Mesh entry point: `node services/token/dist/main.js`. */
await runMain('token', async () => {
  const config = loadTokenEnv();
  const logger = createLogger({ service: 'token', level: config.LOG_LEVEL });
  // Mesh mode never generates a key: TOKEN_SIGNING_KEYS is required and checked by loadTokenEnv.
  const keyring = keyringFromConfig(config.TOKEN_SIGNING_KEYS, config.TOKEN_ACTIVE_KID);
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  metrics.collectDefaults('token');

  // /healthz, /readyz, /metrics from the start (not ready until NATS and MongoDB are connected); closed last.
  const live: { bus?: NatsBus; mongo?: Connection } = {};
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    logger,
    checks: { nats: () => live.bus?.isConnected() ?? false, mongo: () => live.mongo?.readyState === 1 },
  });
  lifecycle.onStop('ops', () => ops.close());

  const dbName = tokenDbName(config);
  const connection = await mongoose.createConnection(config.MONGO_URL, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  live.mongo = connection;
  lifecycle.onStop('mongo', () => connection.close());
  const stores = await createMongoTokenStores(connection);

  const bus = await connectNatsBus({ servers: config.NATS_URL, namespace: config.DISPATCH_NAMESPACE, logger, name: 'token' });
  live.bus = bus;
  const service = createTokenService({
    bus,
    logger,
    apiTokens: stores.apiTokens,
    sessions: stores.sessions,
    audit: stores.audit,
    activity: stores.activity,
    alerts: stores.alerts,
    alertSettings: stores.alertSettings,
    keyring,
    config: {
      ...tokenTuningFromEnv(config),
      defaultPlan: config.DEFAULT_PLAN,
      businessPlans: config.BUSINESS_PLANS,
      planQuotas: resolvePlanQuotas(config.DEFAULT_PLAN, config.RATE_LIMIT_DEFAULT_LIMIT, config.RATE_LIMIT_WINDOW_SECONDS),
      alertDefaults: alertDefaultsFromEnv(config),
    },
    storesReady: stores.isReady,
  });
  // Closers run in reverse: not ready, drain the bus, flush last-used times, close MongoDB, then the ops server.
  lifecycle.onStop('token-service', () => service.stop());
  lifecycle.onStop('bus', () => bus.drain());
  lifecycle.onStop('draining', () => ops.setDraining());

  await service.start();
  logger.info({ namespace: config.DISPATCH_NAMESPACE, db: dbName, signingKid: keyring.active.kid, verifyKids: keyring.kids, opsPort: ops.port }, 'ready');
});
