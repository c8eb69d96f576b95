import type { Connection } from 'mongoose';
import type { ApiTokenRepository } from './api-token-repository.js';
import type { SessionRepository } from './session-repository.js';
import { MongoApiTokenRepository, apiTokenModels } from './mongo-api-token-repository.js';
import { MongoSessionRepository, sessionModel } from './mongo-session-repository.js';

export interface TokenStores {
  apiTokens: ApiTokenRepository;
  sessions: SessionRepository;
  /** True while the stores can serve (the MongoDB connection is open). */
  isReady(): boolean;
}

/** The token service's MongoDB repositories on `connection`; creates collections and indexes first. */
export async function createMongoTokenStores(connection: Connection): Promise<TokenStores> {
  const apiTokens = apiTokenModels(connection);
  const sessions = sessionModel(connection);
  await Promise.all([apiTokens.tokens.init(), apiTokens.revocations.init(), apiTokens.usage.init(), sessions.init()]);
  return {
    apiTokens: new MongoApiTokenRepository(apiTokens),
    sessions: new MongoSessionRepository(sessions),
    isReady: () => connection.readyState === 1,
  };
}
