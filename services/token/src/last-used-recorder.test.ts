import { describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { LastUsedRecorder } from './last-used-recorder.js';
import type { LastUse } from './store/api-token-repository.js';
import type { AuditEntity } from './store/audit-repository.js';

const logger = createLogger({ service: 'token-test', level: 'silent' });

describe('LastUsedRecorder', () => {
  it('writes the latest use and the call counts per token, in one batch', async () => {
    const batches: LastUse[][] = [];
    const recorder = new LastUsedRecorder({ recordLastUsed: async (uses) => void batches.push([...uses]) }, logger, 60_000);
    recorder.record('tok_a', new Date('2025-01-01T00:00:02.000Z'));
    recorder.record('tok_a', new Date('2025-01-01T00:00:01.000Z'));
    recorder.record('tok_b', new Date('2025-01-01T00:00:03.000Z'), true);
    expect(recorder.pendingCount).toBe(2);
    await recorder.flush();
    await recorder.flush();
    expect(batches).toEqual([
      [
        { id: 'tok_a', at: new Date('2025-01-01T00:00:02.000Z'), count: 2, graceCount: 0 },
        { id: 'tok_b', at: new Date('2025-01-01T00:00:03.000Z'), count: 1, graceCount: 1 },
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
    // The failed batch's call is kept and counted with the next.
    expect(batches).toEqual([[{ id: 'tok_a', at: new Date('2025-01-01T00:00:05.000Z'), count: 2, graceCount: 0 }]]);
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

  it('folds attempts with revoked or expired tokens into audit records per token, reason, IP and route', async () => {
    const appended: AuditEntity[][] = [];
    const recorder = new LastUsedRecorder({ recordLastUsed: async () => undefined }, logger, 60_000, {
      append: async (records) => void appended.push([...records]),
    });
    const use = { tokenId: 'tok_a', businessId: 'biz_a', reason: 'revoked' as const, clientIp: '10.0.0.1', route: 'GET /api/v1/Orders' };
    recorder.recordRejected({ ...use, at: new Date('2025-01-01T00:00:02.000Z') });
    recorder.recordRejected({ ...use, at: new Date('2025-01-01T00:00:01.000Z') });
    recorder.recordRejected({ ...use, clientIp: '10.0.0.2', at: new Date('2025-01-01T00:00:03.000Z') });
    await recorder.flush();
    expect(appended).toHaveLength(1);
    const records = appended[0] ?? [];
    expect(records.map((r) => [r.action, r.actorType, r.actorId, r.clientIp, r.count, r.at.toISOString(), r.details])).toEqual([
      ['token.used_after_revocation', 'token', 'tok_a', '10.0.0.1', 2, '2025-01-01T00:00:01.000Z', { lastAttemptAt: '2025-01-01T00:00:02.000Z' }],
      ['token.used_after_revocation', 'token', 'tok_a', '10.0.0.2', 1, '2025-01-01T00:00:03.000Z', { lastAttemptAt: '2025-01-01T00:00:03.000Z' }],
    ]);
    await recorder.flush();
    expect(appended).toHaveLength(1);
  });
});
