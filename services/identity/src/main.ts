import { connectNatsBus, type NatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, metrics, runMain, startOpsServer } from '@dispatch/runtime';
import mongoose, { type Connection } from 'mongoose';
import { identityEnvSchema, identityEnvironment, settingsFromEnv } from './config.js';
import { createIdentityService } from './service.js';
import { createMongoIdentityStores } from './store/mongo-stores.js';

await runMain('identity', async () => {
  const settings = settingsFromEnv(loadConfig('identity', identityEnvSchema, identityEnvironment()));
  const logger = createLogger({ service: 'identity', level: settings.logLevel });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  metrics.collectDefaults('identity');

  // /healthz, /readyz, /metrics from the start (not ready until NATS and MongoDB are connected); closed last.
  const live: { bus?: NatsBus; mongo?: Connection } = {};
  const ops = await startOpsServer({
    port: settings.opsPort,
    logger,
    checks: { nats: () => live.bus?.isConnected() ?? false, mongo: () => live.mongo?.readyState === 1 },
  });
  lifecycle.onStop('ops', () => ops.close());

  // Closers run in reverse order: not ready, stop serving, drain the bus, close mongo, then the ops server.
  const connection = await mongoose
    .createConnection(settings.mongoUrl, { dbName: settings.dbName, serverSelectionTimeoutMS: 15_000 })
    .asPromise();
  live.mongo = connection;
  lifecycle.onStop('mongo', () => connection.close());
  const stores = createMongoIdentityStores(connection);
  await stores.init();

  const bus = await connectNatsBus({ servers: settings.natsUrl, namespace: settings.namespace, logger, name: 'identity' });
  live.bus = bus;
  lifecycle.onStop('bus', () => bus.drain());

  const service = createIdentityService({
    bus,
    logger,
    users: stores.users,
    businesses: stores.businesses,
    verifications: stores.verifications,
    resets: stores.resets,
    invites: stores.invites,
    config: settings.identity,
    isReady: stores.isReady,
  });
  await service.start();
  lifecycle.onStop('identity', () => service.stop());
  lifecycle.onStop('draining', () => ops.setDraining());

  logger.info({ namespace: settings.namespace, db: settings.dbName, instance: service.config.instance, opsPort: ops.port }, 'ready');
});
