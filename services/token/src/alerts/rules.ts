import type { AlertKind, AlertSettings } from '@dispatch/contracts';
import type { ActivityEntity } from '../store/activity-repository.js';

const MINUTE = 60_000;

/** What a rule found: the alert to raise (the incident key is built by the caller from kind, subject and window). */
export interface Finding {
  kind: AlertKind;
  summary: string;
  details: Record<string, unknown>;
}

/** The start of the incident window containing `at`: one alert per kind and subject per window. */
export const incidentWindowStart = (at: Date, windowMinutes: number): Date =>
  new Date(Math.floor(at.getTime() / (windowMinutes * MINUTE)) * windowMinutes * MINUTE);

/** How far back a token's history must be read to judge `minute`. */
export const historyStart = (minute: Date, s: AlertSettings): Date =>
  new Date(Math.min(minute.getTime() - Math.max(s.baselineMinutes, s.ipWindowMinutes) * MINUTE, incidentWindowStart(minute, s.incidentWindowMinutes).getTime()));

const sum = (entries: readonly ActivityEntity[]): number => entries.reduce((n, e) => n + e.count, 0);
const inRange = (entries: readonly ActivityEntity[], from: number, to: number) =>
  entries.filter((e) => e.minute.getTime() >= from && e.minute.getTime() < to);

/**
 * (a) a revoked or expired token still used: its 401s in the current incident window reach
 * `invalidUseMinAttempts`. `state` is the token's state now (a 401 of a valid token is its upstream's).
 */
export function invalidUse(history: readonly ActivityEntity[], minute: Date, s: AlertSettings, state: 'revoked' | 'expired' | 'valid'): Finding | null {
  if (state === 'valid') return null;
  const start = incidentWindowStart(minute, s.incidentWindowMinutes).getTime();
  const attempts = inRange(history, start, minute.getTime() + MINUTE).filter((e) => e.status === 401);
  const count = sum(attempts);
  if (count < s.invalidUseMinAttempts) return null;
  const ips = [...new Set(attempts.map((e) => e.ip))].slice(0, 20);
  return {
    kind: 'token.invalid_use',
    summary: `${state === 'revoked' ? 'A revoked' : 'An expired'} API token was used ${count} time(s) since ${new Date(start).toISOString()}.`,
    details: { reason: state, attempts: count, ips, routes: [...new Set(attempts.map((e) => `${e.method} ${e.route}`))].slice(0, 20) },
  };
}

/** (b) the token's calls in `minute` far above its own average per minute over the preceding `baselineMinutes` (which must hold calls). */
export function rateSpike(history: readonly ActivityEntity[], minute: Date, s: AlertSettings): Finding | null {
  const m = minute.getTime();
  const calls = sum(inRange(history, m, m + MINUTE));
  const before = inRange(history, m - s.baselineMinutes * MINUTE, m);
  // Averaged over the minutes since the token's first call in the window (a new token ramping up is not a spike).
  const firstSeen = Math.min(...before.map((e) => e.minute.getTime()));
  const observedMinutes = before.length === 0 ? 1 : Math.max(1, (m - firstSeen) / MINUTE);
  const baseline = sum(before) / observedMinutes;
  // A token with no calls in its baseline window has no baseline to jump from: not judged.
  if (baseline === 0 || calls < s.rateSpikeMinCalls || calls <= s.rateSpikeFactor * Math.max(baseline, 1)) return null;
  return {
    kind: 'token.rate_spike',
    summary: `API token made ${calls} calls in one minute, against an average of ${baseline.toFixed(1)} per minute over the previous ${Math.round(observedMinutes)} minute(s).`,
    details: { calls, baselinePerMinute: Math.round(baseline * 100) / 100, baselineMinutes: Math.round(observedMinutes), factor: s.rateSpikeFactor, minute: minute.toISOString() },
  };
}

/** (c) distinct client IPs of the last `ipWindowMinutes` far above the distinct IPs of the baseline before them. */
export function ipSpread(history: readonly ActivityEntity[], minute: Date, s: AlertSettings): Finding | null {
  const recentStart = minute.getTime() - (s.ipWindowMinutes - 1) * MINUTE;
  const recent = new Set(inRange(history, recentStart, minute.getTime() + MINUTE).map((e) => e.ip));
  const usual = new Set(inRange(history, minute.getTime() - s.baselineMinutes * MINUTE, recentStart).map((e) => e.ip));
  // A token not used in the baseline window has no usual IPs: not judged.
  if (usual.size === 0 || recent.size < s.ipSpreadMinDistinct || recent.size <= s.ipSpreadFactor * usual.size) return null;
  const newIps = [...recent].filter((ip) => !usual.has(ip));
  return {
    kind: 'token.ip_spread',
    summary: `API token used from ${recent.size} client IPs in ${s.ipWindowMinutes} minute(s), against ${usual.size} in the ${s.baselineMinutes} minutes before.`,
    details: { distinctIps: recent.size, usualDistinctIps: usual.size, windowMinutes: s.ipWindowMinutes, sampleNewIps: newIps.slice(0, 20) },
  };
}

/**
 * (d) 401s attributable to the business in one minute: calls with its revoked or expired tokens
 * (and 401s its upstream returned to calls with its tokens). Unknown or forged tokens name no
 * business and do not count.
 */
export function unauthorizedBurst(business401s: readonly ActivityEntity[], minute: Date, s: AlertSettings): Finding | null {
  const count = sum(business401s);
  if (count < s.unauthorizedBurstMin) return null;
  return {
    kind: 'business.unauthorized_burst',
    summary: `${count} requests with this business's API tokens were refused as unauthorized (401) in one minute.`,
    details: { count, tokens: new Set(business401s.map((e) => e.tokenId)).size, distinctIps: new Set(business401s.map((e) => e.ip)).size, minute: minute.toISOString() },
  };
}
