import type { AlertSettings, DomainEvent } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { ActivityEntity, ActivityRepository } from '../store/activity-repository.js';
import type { ApiTokenRepository } from '../store/api-token-repository.js';
import { effectiveExpiry } from '../use-cases/token-record.js';
import { raiseAlert, type RaiseAlertDeps } from './raise-alert.js';
import { historyStart, incidentWindowStart, invalidUse, ipSpread, rateSpike, unauthorizedBurst, type Finding } from './rules.js';

const MINUTE = 60_000;

export interface DetectorDeps extends RaiseAlertDeps {
  activity: ActivityRepository;
  apiTokens: Pick<ApiTokenRepository, 'get' | 'rotations'>;
  settingsFor(businessId: string): Promise<AlertSettings>;
  now(): Date;
}

type UsageEntry = DomainEvent<'usage.recorded'>['data']['entries'][number];

/** Minutes (epoch ms) per key, from a usage event's entries. */
function minutesBy(entries: readonly UsageEntry[], keyOf: (e: UsageEntry) => string | null): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const e of entries) {
    const key = keyOf(e);
    if (key === null) continue;
    const set = out.get(key) ?? new Set<number>();
    set.add(Date.parse(e.minute));
    out.set(key, set);
  }
  return out;
}

/**
 * Runs after a `usage.recorded` event is stored as activity: judges the tokens and businesses in
 * it against their own history (the activity store, every edge's counts) and the business's
 * thresholds, and raises one alert per incident. Returns how many alerts this call raised.
 */
export async function detectSuspiciousActivity(deps: DetectorDeps, event: DomainEvent, logger: Logger): Promise<number> {
  if (event.type !== 'usage.recorded') return 0;
  const { entries } = (event as DomainEvent<'usage.recorded'>).data;
  const settings = new Map<string, AlertSettings>();
  const settingsOf = async (businessId: string): Promise<AlertSettings> => {
    const cached = settings.get(businessId);
    if (cached) return cached;
    const s = await deps.settingsFor(businessId);
    settings.set(businessId, s);
    return s;
  };
  let raised = 0;
  const raise = async (f: Finding, businessId: string, tokenId: string | null, minute: Date, s: AlertSettings) => {
    const windowStart = incidentWindowStart(minute, s.incidentWindowMinutes);
    const input = { ...f, businessId, tokenId, subject: tokenId ?? businessId, windowStart, firstSeenAt: minute };
    if (await raiseAlert(deps, input, event.requestId ?? event.id, logger)) raised++;
  };

  const byToken = minutesBy(entries, (e) => `${e.businessId}\u0000${e.tokenId}`);
  const unauthorizedByToken = minutesBy(entries, (e) => (e.status === 401 ? `${e.businessId}\u0000${e.tokenId}` : null));
  // One read per business for all of its tokens in the event (never one per token: an edge flush can name thousands).
  const tokensByBusiness = new Map<string, Map<string, number[]>>();
  for (const [key, minuteSet] of byToken) {
    const [businessId = '', tokenId = ''] = key.split('\u0000');
    const tokens = tokensByBusiness.get(businessId) ?? new Map<string, number[]>();
    tokens.set(tokenId, [...minuteSet].sort((a, b) => a - b));
    tokensByBusiness.set(businessId, tokens);
  }
  for (const [businessId, tokens] of tokensByBusiness) {
    const s = await settingsOf(businessId);
    if (!s.enabled) continue;
    const all = [...tokens.values()].flat();
    const first = Math.min(...all);
    const last = Math.max(...all);
    const rows = await deps.activity.queryTokens(businessId, [...tokens.keys()], historyStart(new Date(first), s), new Date(last + MINUTE));
    const historyOf = new Map<string, ActivityEntity[]>();
    for (const r of rows) {
      const list = historyOf.get(r.tokenId);
      if (list) list.push(r);
      else historyOf.set(r.tokenId, [r]);
    }
    for (const [tokenId, minutes] of tokens) {
      const history = historyOf.get(tokenId) ?? [];
      const refused = unauthorizedByToken.get(`${businessId}\u0000${tokenId}`);
      const state = refused ? await tokenState(deps, businessId, tokenId) : 'valid';
      for (const m of minutes) {
        const minute = new Date(m);
        const findings = [refused?.has(m) ? invalidUse(history, minute, s, state) : null, rateSpike(history, minute, s), ipSpread(history, minute, s)];
        for (const f of findings) if (f) await raise(f, businessId, tokenId, minute, s);
      }
    }
  }

  for (const [businessId, minuteSet] of minutesBy(entries, (e) => (e.status === 401 ? e.businessId : null))) {
    const s = await settingsOf(businessId);
    if (!s.enabled) continue;
    for (const m of minuteSet) {
      const rows = await deps.activity.queryBusinessStatus(businessId, 401, new Date(m), new Date(m + MINUTE));
      const f = unauthorizedBurst(rows, new Date(m), s);
      if (f) await raise(f, businessId, null, new Date(m), s);
    }
  }
  return raised;
}

/** Whether a token refused with 401 is revoked or expired now (a 401 of a valid token came from its upstream). */
async function tokenState(deps: Pick<DetectorDeps, 'apiTokens' | 'now'>, businessId: string, tokenId: string): Promise<'revoked' | 'expired' | 'valid'> {
  const token = await deps.apiTokens.get(businessId, tokenId);
  if (!token) return 'valid';
  if (token.revokedAt) return 'revoked';
  const rotation = (await deps.apiTokens.rotations([tokenId])).get(tokenId);
  const expiry = effectiveExpiry(token, rotation);
  return expiry && expiry.getTime() <= deps.now().getTime() ? 'expired' : 'valid';
}
