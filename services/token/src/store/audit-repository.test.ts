import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe } from 'vitest';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { describeAuditRepositoryContract } from './audit-repository.test-suite.js';
import { MemoryAuditRepository } from './memory-audit-repository.js';
import { MongoAuditRepository, auditModel } from './mongo-audit-repository.js';
import { MemoryActivityRepository } from './memory-activity-repository.js';
import { MongoActivityRepository, activityModel } from './mongo-activity-repository.js';
import { describeActivityRepositoryContract } from './activity-repository.test-suite.js';
import { describeAlertRepositoryContract } from './alert-repository.test-suite.js';
import { MemoryAlertRepository, MemoryAlertSettingsRepository } from './memory-alert-repository.js';
import { MongoAlertRepository, MongoAlertSettingsRepository, alertModels } from './mongo-alert-repository.js';

describeAuditRepositoryContract('memory', () => new MemoryAuditRepository());
describeActivityRepositoryContract('memory', () => new MemoryActivityRepository());
describeAlertRepositoryContract('memory', async () => ({ alerts: new MemoryAlertRepository(), settings: new MemoryAlertSettingsRepository() }));

describe('mongo', () => {
  let infra: Infra | undefined;
  let connection: Connection | undefined;

  beforeAll(async () => {
    infra = await startInfra(['mongo']);
    connection = await mongoose.createConnection(infra.mongoUrl, { dbName: `${uniqueNamespace()}_token` }).asPromise();
    await auditModel(connection).init();
    await activityModel(connection).init();
    await alertModels(connection).alerts.init();
    await alertModels(connection).settings.init();
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
    await infra?.stop();
  });

  const conn = () => {
    if (!connection) throw new Error('mongo did not start');
    return connection;
  };
  describeAuditRepositoryContract('mongo', () => new MongoAuditRepository(auditModel(conn())));
  describeActivityRepositoryContract('mongo', () => new MongoActivityRepository(activityModel(conn())));
  describeAlertRepositoryContract('mongo', async () => {
    const m = alertModels(conn());
    return { alerts: new MongoAlertRepository(m.alerts), settings: new MongoAlertSettingsRepository(m.settings) };
  });
});
