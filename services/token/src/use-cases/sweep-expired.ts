import type { AuditEntity } from '../store/audit-repository.js';
import { auditEntity } from './audit.js';
import type { TokenContext } from './context.js';

/** How far back a sweep looks: a sweep missed for up to this long still records the expiry. */
export const EXPIRY_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * Writes a `token.expired` audit record for every token whose expiresAt passed, or whose
 * rotation grace ended, in the look-back window. Each is stored once (dedupe key
 * `expired:<tokenId>`), so every instance may sweep. Revoked tokens did not expire.
 */
export interface SweepState {
  /** Where the previous sweep ended (the next one starts a little before it). */
  sweptUntil: Date | null;
  /** Dedupe keys this instance has already written (no repeated duplicate inserts). */
  recorded: Set<string>;
}

export const newSweepState = (): SweepState => ({ sweptUntil: null, recorded: new Set() });

/** Overlap of consecutive sweeps, so an expiry at a sweep's edge is never missed. */
const OVERLAP_MS = 60_000;

export async function sweepExpired(ctx: TokenContext, state: SweepState = newSweepState()): Promise<number> {
  const now = ctx.now();
  const from = state.sweptUntil ? new Date(state.sweptUntil.getTime() - OVERLAP_MS) : new Date(now.getTime() - EXPIRY_LOOKBACK_MS);
  const [expired, graceEnded] = await Promise.all([ctx.apiTokens.expiredBetween(from, now), ctx.apiTokens.graceEndedBetween(from, now)]);
  const records: AuditEntity[] = [];
  const seen = new Set<string>();
  for (const t of expired) {
    if (t.revokedAt && t.expiresAt && t.revokedAt <= t.expiresAt) continue;
    if (!t.expiresAt || seen.has(t.id)) continue;
    seen.add(t.id);
    records.push(
      auditEntity({ businessId: t.businessId, tokenId: t.id, action: 'token.expired', actor: { type: 'system', id: null }, at: t.expiresAt, dedupeKey: `expired:${t.id}`, details: { cause: 'expiresAt' } }),
    );
  }
  if (graceEnded.length > 0) {
    const revoked = new Map<string, Date | null>();
    for (const r of graceEnded) {
      const token = await ctx.apiTokens.get(r.businessId, r.tokenId);
      revoked.set(r.tokenId, token?.revokedAt ?? null);
    }
    for (const r of graceEnded) {
      const revokedAt = revoked.get(r.tokenId);
      if ((revokedAt && revokedAt <= r.graceEndsAt) || seen.has(r.tokenId)) continue;
      seen.add(r.tokenId);
      records.push(
        auditEntity({
          businessId: r.businessId,
          tokenId: r.tokenId,
          action: 'token.expired',
          actor: { type: 'system', id: null },
          at: r.graceEndsAt,
          dedupeKey: `expired:${r.tokenId}`,
          details: { cause: 'rotation_grace_ended', rotatedTo: r.newTokenId },
        }),
      );
    }
  }
  const fresh = records.filter((r) => !state.recorded.has(r.dedupeKey));
  if (fresh.length > 0) await ctx.audit.append(fresh);
  for (const r of fresh) state.recorded.add(r.dedupeKey);
  if (state.recorded.size > 100_000) state.recorded.clear();
  state.sweptUntil = now;
  return records.length;
}
