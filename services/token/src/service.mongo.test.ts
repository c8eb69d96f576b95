import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { createLogger, newId } from '@dispatch/runtime';
import { startInfra, uniqueNamespace, type Infra } from '@dispatch/testkit';
import { generateKeyring } from './keys/keyring.js';
import { createTokenService, type TokenService } from './service.js';
import { createMongoTokenStores, type TokenStores } from './store/mongo-stores.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });

describe('token service on MongoDB stores', () => {
  let infra: Infra | undefined;
  let connection: Connection | undefined;
  let stores: TokenStores | undefined;
  let service: TokenService | undefined;
  let bus: MemoryBus;

  beforeAll(async () => {
    infra = await startInfra(['mongo']);
    connection = await mongoose.createConnection(infra.mongoUrl, { dbName: `${uniqueNamespace()}_token` }).asPromise();
    stores = await createMongoTokenStores(connection);
    bus = new MemoryBus(new MemoryHub(), uniqueNamespace(), logger);
    service = createTokenService({
      bus,
      logger,
      apiTokens: stores.apiTokens,
      sessions: stores.sessions,
      keyring: generateKeyring(),
      config: { instance: 'mongo-1' },
      storesReady: stores.isReady,
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await bus.drain();
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
    await infra?.stop();
  });

  it('creates, validates, records use, revokes (concurrently, once) and rejects', async () => {
    const businessId = newId('biz');
    const userId = newId('usr');
    const created = await bus.request('token.createApiToken', { businessId, createdBy: userId, creatorRole: 'owner', description: 'mongo' });
    expect(await bus.request('token.validate', { token: created.token })).toEqual({
      valid: true,
      principal: { kind: 'api', businessId, tokenId: created.tokenInfo.id, scopes: ['*'], rateLimit: { enforce: { limit: 1000, windowSeconds: 3600 } } },
    });
    await service?.flushLastUsed();
    const [listed] = (await bus.request('token.listApiTokens', { businessId })).tokens;
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(listed).toEqual({ ...created.tokenInfo, lastUsedAt: listed?.lastUsedAt });

    const replies = await Promise.all(
      [0, 1, 2, 3].map(() => bus.request('token.revokeApiToken', { businessId, tokenId: created.tokenInfo.id, revokedBy: userId })),
    );
    for (const reply of replies) expect(reply).toEqual(replies[0]);
    expect(replies[0]?.tokenInfo.status).toBe('revoked');
    expect(await bus.request('token.validate', { token: created.token })).toEqual({
      valid: false,
      reason: 'revoked',
      tokenId: created.tokenInfo.id,
      businessId,
    });
    expect(await bus.request('token.ping', {})).toEqual({ service: 'token', instance: 'mongo-1', ready: true });
  });

  it('creates, validates and revokes a session', async () => {
    const businessId = newId('biz');
    const userId = newId('usr');
    const session = await bus.request('token.createSession', { userId, businessId, role: 'owner' });
    expect(await bus.request('token.validate', { token: session.token })).toEqual({
      valid: true,
      principal: { kind: 'session', businessId, userId, sessionId: session.sessionId, role: 'owner' },
    });
    expect(await bus.request('token.revokeSession', { sessionId: session.sessionId, userId })).toEqual({ revoked: true });
    expect(await bus.request('token.validate', { token: session.token })).toEqual({ valid: false, reason: 'revoked' });
  });
});
