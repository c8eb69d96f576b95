import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import type { DomainEvent } from '@dispatch/contracts';
import { createLogger, newId } from '@dispatch/runtime';
import { MemoryAlertRepository } from '../store/memory-alert-repository.js';
import { RecentKeys, raiseAlert, type AlertInput } from './raise-alert.js';

const logger = createLogger({ service: 'raise-test', level: 'silent' });

describe('raiseAlert', () => {
  it('claims once, publishes with an id derived from the incident, and republishes an unpublished claim with the same id', async () => {
    const hub = new MemoryHub();
    const bus = new MemoryBus(hub, 'raise', logger);
    const seen: DomainEvent[] = [];
    await bus.consume('t', async (e) => void seen.push(e), { types: ['alert.raised'] });
    const alerts = new MemoryAlertRepository();
    let failPublish = true;
    const events = {
      publish: ((type, data, options) => {
        if (failPublish) return Promise.reject(new Error('nats down'));
        return bus.publish(type, data, options);
      }) as MemoryBus['publish'],
    };
    const deps = { alerts, events, recipients: async () => ['owner@example.com'], published: new RecentKeys() };
    const input: AlertInput = {
      kind: 'token.invalid_use',
      businessId: newId('biz'),
      tokenId: newId('tok'),
      subject: 'tok_x',
      windowStart: new Date(Date.UTC(2030, 0, 1, 10)),
      firstSeenAt: new Date(Date.UTC(2030, 0, 1, 10, 5)),
      summary: 's',
      details: {},
    };
    await expect(raiseAlert(deps, input, 'req', logger)).rejects.toThrow('nats down');
    const claimed = await alerts.get('token.invalid_use:tok_x:2030-01-01T10:00:00.000Z');
    expect(claimed?.publishedAt).toBeNull();
    failPublish = false;
    expect(await raiseAlert(deps, input, 'req', logger)).toBe(false); // not the claimer, but it publishes the pending alert
    expect(seen).toHaveLength(1);
    expect(seen[0]?.id).toBe(claimed?.eventId);
    expect(seen[0]?.data).toMatchObject({ notifyEmails: ['owner@example.com'], incidentKey: 'token.invalid_use:tok_x:2030-01-01T10:00:00.000Z' });
    expect(await raiseAlert(deps, input, 'req', logger)).toBe(false);
    expect(seen).toHaveLength(1);
    await bus.drain();
  });

  it('RecentKeys forgets the oldest keys beyond its capacity', () => {
    const keys = new RecentKeys(2);
    keys.add('a');
    keys.add('b');
    keys.add('c');
    expect([keys.has('a'), keys.has('b'), keys.has('c')]).toEqual([false, true, true]);
  });
});
