import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { hourlyBars } from './chart.js';
import { describe as describeError, humanSeconds } from './errors.js';

const bucket = (minute: string, status: number, count: number) => ({ minute, method: 'GET', route: '/api/v1/Orders', status, ip: '127.0.0.1', count });

describe('hourlyBars', () => {
  it('24 hourly bars ending at the hour after `to`, answered and refused apart, out-of-range minutes dropped', () => {
    const to = new Date('2030-01-02T10:20:00.000Z');
    const bars = hourlyBars(
      [
        bucket('2030-01-02T10:05:00.000Z', 200, 3),
        bucket('2030-01-02T10:06:00.000Z', 401, 2),
        bucket('2030-01-02T09:59:00.000Z', 429, 1),
        bucket('2030-01-01T11:00:00.000Z', 200, 7),
        bucket('2030-01-01T10:59:00.000Z', 200, 100),
        bucket('2030-01-02T11:00:00.000Z', 200, 100),
      ],
      to,
    );
    expect(bars).toHaveLength(24);
    expect(bars[23]).toEqual({ start: new Date('2030-01-02T10:00:00.000Z'), ok: 3, refused: 2 });
    expect(bars[22]).toEqual({ start: new Date('2030-01-02T09:00:00.000Z'), ok: 0, refused: 1 });
    expect(bars[0]).toEqual({ start: new Date('2030-01-01T11:00:00.000Z'), ok: 7, refused: 0 });
    expect(bars.reduce((n, b) => n + b.ok + b.refused, 0)).toBe(13);
  });
});

describe('error texts', () => {
  it('403 names the reason and who can help; 429 says when; validation fields are read from details', () => {
    const role = new ApiError(403, 'FORBIDDEN', 'Your role (viewer) does not allow this action', { reason: 'insufficient_role' });
    expect(describeError(role)).toBe('Your role (viewer) does not allow this action. Ask an owner or admin of your business for a role that includes it.');
    const plan = new ApiError(403, 'FORBIDDEN', 'Usage analytics are not in your plan.', { reason: 'plan_feature_missing' });
    expect(describeError(plan)).toContain('an owner can upgrade the plan');
    expect(describeError(new ApiError(429, 'RATE_LIMITED', 'Too many', {}, 90))).toMatch(/^Too many attempts\. Try again in 2 minutes \(at .+\)\.$/);
    expect(humanSeconds(1)).toBe('1 second');
    expect(humanSeconds(59)).toBe('59 seconds');
    expect(humanSeconds(7200)).toBe('2 hours');
    const invalid = new ApiError(400, 'VALIDATION_ERROR', 'Request body is invalid', { fields: { password: 'Too short', n: 3 } });
    expect(invalid.fields).toEqual({ password: 'Too short' });
  });
});
