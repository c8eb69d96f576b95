import { describe, expect, it } from 'vitest';
import type { EventPayload } from '@dispatch/contracts';
import { createLogger } from '@dispatch/runtime';
import { UsageRecorder } from './usage-recorder.js';

const logger = createLogger({ service: 'edge-test', level: 'silent' });
const call = (over: Record<string, unknown> = {}) => ({
  businessId: 'biz_a',
  tokenId: 'tok_a',
  method: 'GET',
  route: '/api/v1/Orders',
  status: 200,
  ip: '10.0.0.1',
  at: new Date('2030-01-01T00:00:10.000Z'),
  ...over,
});

describe('UsageRecorder', () => {
  it('aggregates per token, minute, method + route, status and IP, and publishes one event per flush', async () => {
    const published: EventPayload<'usage.recorded'>[] = [];
    const publish = async (_type: string, data: unknown): Promise<never> => {
      published.push(data as EventPayload<'usage.recorded'>);
      return undefined as never;
    };
    const recorder = new UsageRecorder({ publish }, logger, 60_000, 'edge-1');
    recorder.record(call());
    recorder.record(call({ at: new Date('2030-01-01T00:00:50.000Z') }));
    recorder.record(call({ status: 401 }));
    recorder.record(call({ at: new Date('2030-01-01T00:01:00.000Z') }));
    await recorder.flush();
    await recorder.flush();
    expect(published).toHaveLength(1);
    expect(published[0]?.source).toBe('edge-1');
    expect(published[0]?.entries.map((e) => [e.minute, e.status, e.count])).toEqual([
      ['2030-01-01T00:00:00.000Z', 200, 2],
      ['2030-01-01T00:00:00.000Z', 401, 1],
      ['2030-01-01T00:01:00.000Z', 200, 1],
    ]);
  });

  it('keeps the counts when publishing fails and sends them with the next flush', async () => {
    let fail = true;
    const published: EventPayload<'usage.recorded'>[] = [];
    const recorder = new UsageRecorder(
      {
        publish: async (_t, data) => {
          if (fail) throw new Error('nats down');
          published.push(data as EventPayload<'usage.recorded'>);
          return undefined as never;
        },
      },
      logger,
      60_000,
      'edge-1',
    );
    recorder.record(call());
    await recorder.flush();
    recorder.record(call());
    fail = false;
    await recorder.stop();
    expect(published.map((p) => p.entries.map((e) => e.count))).toEqual([[2]]);
  });
});
