import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe } from 'vitest';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { describeSessionRepositoryContract } from './session-repository.test-suite.js';
import { MemorySessionRepository } from './memory-session-repository.js';
import { createMongoTokenStores, type TokenStores } from './mongo-stores.js';

describeSessionRepositoryContract('memory', () => new MemorySessionRepository());

describe('mongo', () => {
  let infra: Infra | undefined;
  let connection: Connection | undefined;
  let stores: TokenStores | undefined;

  beforeAll(async () => {
    infra = await startInfra(['mongo']);
    connection = await mongoose.createConnection(infra.mongoUrl, { dbName: `${uniqueNamespace()}_token` }).asPromise();
    stores = await createMongoTokenStores(connection);
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
    await infra?.stop();
  });

  describeSessionRepositoryContract('mongo', () => {
    if (!stores) throw new Error('mongo stores did not start');
    return stores.sessions;
  });
});
