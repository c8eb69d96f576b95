import { describe } from 'vitest';
import { useMongo } from '../test/mongo.js';
import { MemoryUserRepository } from './memory-user-repository.js';
import { MongoUserRepository } from './mongo-user-repository.js';
import { describeUserRepositoryContract } from './user-repository.test-suite.js';

describeUserRepositoryContract('memory', async () => new MemoryUserRepository());

describe('mongo', () => {
  const mongo = useMongo();
  describeUserRepositoryContract('mongo', async () => {
    const repo = MongoUserRepository.on(mongo.freshDb());
    await repo.init();
    return repo;
  });
});
