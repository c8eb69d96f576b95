import { connectNatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, loadConfig, runMain } from '@dispatch/runtime';
import mongoose from 'mongoose';
import { identityEnvSchema, identityEnvironment, settingsFromEnv } from './config.js';
import { createIdentityService } from './service.js';
import { createMongoIdentityStores } from './store/mongo-stores.js';

await runMain('identity', async () => {
  const settings = settingsFromEnv(loadConfig('identity', identityEnvSchema, identityEnvironment()));
  const logger = createLogger({ service: 'identity', level: settings.logLevel });
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();

  // Closers run in reverse order: stop serving, drain the bus, then close mongo.
  const connection = await mongoose
    .createConnection(settings.mongoUrl, { dbName: settings.dbName, serverSelectionTimeoutMS: 15_000 })
    .asPromise();
  lifecycle.onStop('mongo', () => connection.close());
  const stores = createMongoIdentityStores(connection);
  await stores.init();

  const bus = await connectNatsBus({ servers: settings.natsUrl, namespace: settings.namespace, logger, name: 'identity' });
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

  logger.info({ namespace: settings.namespace, db: settings.dbName, instance: service.config.instance }, 'ready');
});
