import { describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { LastUsedRecorder } from './last-used-recorder.js';
import type { LastUse } from './store/api-token-repository.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });

describe('LastUsedRecorder', () => {
  it('writes only the latest use per token, in one batch', async () => {
    const batches: LastUse[][] = [];
    const recorder = new LastUsedRecorder({ recordLastUsed: async (uses) => void batches.push([...uses]) }, logger, 60_000);
    recorder.record('tok_a', new Date('2025-01-01T00:00:02.000Z'));
    recorder.record('tok_a', new Date('2025-01-01T00:00:01.000Z'));
    recorder.record('tok_b', new Date('2025-01-01T00:00:03.000Z'));
    expect(recorder.pendingCount).toBe(2);
    await recorder.flush();
    await recorder.flush();
    expect(batches).toEqual([
      [
        { id: 'tok_a', at: new Date('2025-01-01T00:00:02.000Z') },
        { id: 'tok_b', at: new Date('2025-01-01T00:00:03.000Z') },
      ],
    ]);
    expect(recorder.pendingCount).toBe(0);
  });

  it('keeps a failed batch and writes it with the next flush', async () => {
    const batches: LastUse[][] = [];
    let fail = true;
    const recorder = new LastUsedRecorder(
      {
        recordLastUsed: async (uses) => {
          if (fail) throw new Error('store down');
          batches.push([...uses]);
        },
      },
      logger,
      60_000,
    );
    recorder.record('tok_a', new Date('2025-01-01T00:00:01.000Z'));
    await recorder.flush();
    expect(recorder.pendingCount).toBe(1);
    fail = false;
    recorder.record('tok_a', new Date('2025-01-01T00:00:05.000Z'));
    await recorder.stop();
    expect(batches).toEqual([[{ id: 'tok_a', at: new Date('2025-01-01T00:00:05.000Z') }]]);
    expect(recorder.pendingCount).toBe(0);
  });

  it('never runs two writes at once', async () => {
    let active = 0;
    let maxActive = 0;
    const recorder = new LastUsedRecorder(
      {
        recordLastUsed: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
        },
      },
      logger,
      60_000,
    );
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      recorder.record(`tok_${i}`, new Date());
      flushes.push(recorder.flush());
    }
    await Promise.all(flushes);
    expect(maxActive).toBe(1);
  });
});
