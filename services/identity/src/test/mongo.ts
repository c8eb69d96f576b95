import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll } from 'vitest';

export interface MongoHarness {
  /** A connection to a brand-new database (shares the pool of the suite's connection). */
  freshDb(): Connection;
}

/**
 * Starts a MongoDB-wire server for this test file (MONGO_URL wins, else local FerretDB/mongod),
 * and drops every database it handed out when the file ends.
 */
export function useMongo(): MongoHarness {
  let infra: Infra | undefined;
  let base: Connection | undefined;
  const handedOut: Connection[] = [];

  beforeAll(async () => {
    infra = await startInfra(['mongo']);
    base = await mongoose.createConnection(infra.mongoUrl, { dbName: uniqueNamespace('idb'), serverSelectionTimeoutMS: 20_000 }).asPromise();
  });

  afterAll(async () => {
    if (infra && infra.servers.mongo === undefined) {
      // An external server (MONGO_URL): leave nothing behind.
      await Promise.allSettled(handedOut.map((c) => c.dropDatabase()));
    }
    await base?.close();
    await infra?.stop();
  });

  return {
    freshDb() {
      if (!base) throw new Error('mongo is not started yet (call freshDb inside a test or hook)');
      const db = base.useDb(uniqueNamespace('id'), { useCache: false });
      handedOut.push(db);
      return db;
    },
  };
}
