import { describe, expect, it } from 'vitest';
import { defaultAlertSettings } from './settings.js';
import { historyStart, incidentWindowStart, invalidUse, ipSpread, rateSpike, unauthorizedBurst } from './rules.js';
import type { ActivityEntity } from '../store/activity-repository.js';

const at = (m: number) => new Date(Date.UTC(2030, 0, 1, 10, 0) + m * 60_000);
let n = 0;
const e = (m: number, over: Partial<ActivityEntity> = {}): ActivityEntity => ({
  id: `e${n++}`,
  businessId: 'biz_x',
  tokenId: 'tok_x',
  minute: at(m),
  method: 'GET',
  route: '/api/v1/Orders',
  status: 200,
  ip: '198.51.100.1',
  count: 1,
  ...over,
});
const s = { ...defaultAlertSettings, baselineMinutes: 10, rateSpikeMinCalls: 50, rateSpikeFactor: 10, ipWindowMinutes: 2, ipSpreadMinDistinct: 5, ipSpreadFactor: 3 };

describe('alert rules', () => {
  it('incident windows and the history to read', () => {
    expect(incidentWindowStart(at(59), 60).toISOString()).toBe('2030-01-01T10:00:00.000Z');
    expect(incidentWindowStart(at(60), 60).toISOString()).toBe('2030-01-01T11:00:00.000Z');
    expect(historyStart(at(5), s).toISOString()).toBe(at(-5).toISOString());
  });

  it('invalid use: only for revoked/expired tokens, from the minimum attempts in the window', () => {
    const h = [e(1, { status: 401, count: 2 }), e(2, { status: 401, count: 1 }), e(2, { status: 200, count: 9 })];
    expect(invalidUse(h, at(2), { ...s, invalidUseMinAttempts: 3 }, 'revoked')?.details).toMatchObject({ reason: 'revoked', attempts: 3 });
    expect(invalidUse(h, at(2), { ...s, invalidUseMinAttempts: 4 }, 'revoked')).toBeNull();
    expect(invalidUse(h, at(2), s, 'valid')).toBeNull();
  });

  it('rate spike: above factor × baseline and the minimum; not for steady traffic', () => {
    const base = Array.from({ length: 10 }, (_, i) => e(i, { count: 4 }));
    expect(rateSpike([...base, e(10, { count: 41 })], at(10), s)).toBeNull(); // below the minimum calls
    expect(rateSpike([...base, e(10, { count: 40 }), e(10, { count: 10, ip: 'b' })], at(10), s)).toMatchObject({ kind: 'token.rate_spike', details: { calls: 50 } });
    const steady = Array.from({ length: 11 }, (_, i) => e(i, { count: 100 }));
    expect(rateSpike(steady, at(10), s)).toBeNull();
    expect(rateSpike([e(10, { count: 500 })], at(10), s)).toBeNull(); // no baseline yet: not judged
    expect(rateSpike([e(9, { count: 100 }), e(10, { count: 120 })], at(10), s)).toBeNull(); // a new token ramping up
  });

  it('IP spread: recent distinct IPs against the baseline’s', () => {
    const usual = Array.from({ length: 8 }, (_, i) => e(i, { ip: `10.0.0.${i % 2}` }));
    const recent = Array.from({ length: 7 }, (_, i) => e(9 + (i % 2), { ip: `192.0.2.${i}` }));
    expect(ipSpread([...usual, ...recent], at(10), s)).toMatchObject({ details: { distinctIps: 7, usualDistinctIps: 2 } });
    expect(ipSpread([...usual, ...recent.slice(0, 6)], at(10), s)).toBeNull(); // 6 is not above 3 × 2
    expect(ipSpread(recent, at(10), s)).toBeNull(); // no usual IPs yet: not judged
  });

  it('unauthorized burst: the business’s 401s in one minute', () => {
    const rows = [e(0, { status: 401, count: 30 }), e(0, { status: 401, count: 20, tokenId: 'tok_y' })];
    expect(unauthorizedBurst(rows, at(0), { ...s, unauthorizedBurstMin: 50 })?.details).toMatchObject({ count: 50, tokens: 2 });
    expect(unauthorizedBurst(rows, at(0), { ...s, unauthorizedBurstMin: 51 })).toBeNull();
  });
});
