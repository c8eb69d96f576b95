import { describe } from 'vitest';
import { useMongo } from '../test/mongo.js';
import { MemoryVerificationTokenRepository } from './memory-verification-token-repository.js';
import { MongoVerificationTokenRepository, passwordResetTokenCollections } from './mongo-verification-token-repository.js';
import { describeVerificationTokenRepositoryContract } from './verification-token-repository.test-suite.js';

describeVerificationTokenRepositoryContract('memory', async () => new MemoryVerificationTokenRepository());

describe('mongo', () => {
  const mongo = useMongo();
  describeVerificationTokenRepositoryContract('mongo', async () => {
    const repo = MongoVerificationTokenRepository.on(mongo.freshDb());
    await repo.init();
    return repo;
  });
});

describe('mongo, password-reset collections', () => {
  const mongo = useMongo();
  describeVerificationTokenRepositoryContract('mongo (password_reset_tokens)', async () => {
    const repo = MongoVerificationTokenRepository.on(mongo.freshDb(), passwordResetTokenCollections);
    await repo.init();
    return repo;
  });
});
