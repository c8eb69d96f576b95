import { describe } from 'vitest';
import { useMongo } from '../test/mongo.js';
import { MemoryBusinessRepository } from './memory-business-repository.js';
import { MongoBusinessRepository } from './mongo-business-repository.js';
import { describeBusinessRepositoryContract } from './business-repository.test-suite.js';

describeBusinessRepositoryContract('memory', async () => new MemoryBusinessRepository());

describe('mongo', () => {
  const mongo = useMongo();
  describeBusinessRepositoryContract('mongo', async () => {
    const repo = MongoBusinessRepository.on(mongo.freshDb());
    await repo.init();
    return repo;
  });
});
