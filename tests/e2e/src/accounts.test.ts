import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe } from 'vitest';
import { Mesh, SmtpSink, startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { accountsEnv, describeAccounts, shortLifetimesEnv, type StoreInspector } from './accounts.test-suite.js';

let infra: Infra;
let smtp: SmtpSink;
let mesh: Mesh;
let mongo: Connection;
const namespace = uniqueNamespace('acc');

beforeAll(async () => {
  infra = await startInfra();
  smtp = await SmtpSink.start();
  // Debug logs: the no-secrets-in-logs check then covers every line the services can write.
  mesh = await Mesh.start({ infra, namespace, smtpUrl: smtp.url, env: { ...accountsEnv, LOG_LEVEL: 'debug' } });
  mongo = await mongoose.createConnection(infra.mongoUrl, { serverSelectionTimeoutMS: 20_000 }).asPromise();
});

afterAll(async () => {
  await mongo?.close();
  await mesh?.stop();
  await smtp?.stop();
  await infra?.stop();
});

/** Reads the mesh's own databases (`<namespace>_identity`, `<namespace>_token`) directly. */
const inspect: StoreInspector = {
  find: (db, collection, filter = {}) =>
    mongo
      .useDb(`${namespace}_${db}`, { useCache: true })
      .collection(collection)
      .find(filter)
      .toArray() as Promise<Record<string, unknown>[]>,
};

/** Restarts the identity process with short token lifetimes for `run`, then as before. */
async function withShortTokenLifetimes(run: (edgeUrl: string) => Promise<void>): Promise<void> {
  const identity = mesh.find('identity');
  const original = identity.env;
  identity.env = { ...original, ...shortLifetimesEnv };
  await mesh.restartProcess('identity');
  try {
    await run(mesh.edgeUrl);
  } finally {
    identity.env = original;
    await mesh.restartProcess('identity');
  }
}

describe('the real mesh (NATS, Redis, FerretDB, SMTP; every service its own process)', () => {
  describeAccounts('mesh', () => ({ edgeUrl: mesh.edgeUrl, smtp, logs: () => mesh.allLogs(), inspect, withShortTokenLifetimes }));
});
