import { describe } from 'vitest';
import { useMongo } from '../test/mongo.js';
import { MemoryInviteRepository } from './memory-invite-repository.js';
import { MongoInviteRepository } from './mongo-invite-repository.js';
import { describeInviteRepositoryContract } from './invite-repository.test-suite.js';

describeInviteRepositoryContract('memory', async () => new MemoryInviteRepository());

describe('mongo', () => {
  const mongo = useMongo();
  describeInviteRepositoryContract('mongo', async () => {
    const repo = MongoInviteRepository.on(mongo.freshDb());
    await repo.init();
    return repo;
  });
});
