import mongoose from 'mongoose';
import { connectNatsBus } from '@dispatch/bus';
import { Lifecycle, createLogger, runMain } from '@dispatch/runtime';
import { loadTokenEnv, tokenDbName } from './config.js';
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

  const dbName = tokenDbName(config);
  const connection = await mongoose.createConnection(config.MONGO_URL, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  lifecycle.onStop('mongo', () => connection.close());
  const stores = await createMongoTokenStores(connection);

  const bus = await connectNatsBus({ servers: config.NATS_URL, namespace: config.DISPATCH_NAMESPACE, logger, name: 'token' });
  const service = createTokenService({
    bus,
    logger,
    apiTokens: stores.apiTokens,
    sessions: stores.sessions,
    audit: stores.audit,
    activity: stores.activity,
    keyring,
    config: {
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      lastUsedFlushMs: config.LAST_USED_FLUSH_MS,
      maxActiveTokensPerBusiness: config.TOKEN_MAX_ACTIVE_PER_BUSINESS,
      expirySweepMs: config.TOKEN_EXPIRY_SWEEP_MS,
      keysAnnounceMs: config.TOKEN_KEYS_ANNOUNCE_MS,
    },
    storesReady: stores.isReady,
  });
  // Closers run in reverse: drain the bus, then flush last-used times, then close MongoDB.
  lifecycle.onStop('token-service', () => service.stop());
  lifecycle.onStop('bus', () => bus.drain());

  await service.start();
  logger.info({ namespace: config.DISPATCH_NAMESPACE, db: dbName, signingKid: keyring.active.kid, verifyKids: keyring.kids }, 'ready');
});
