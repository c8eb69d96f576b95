import { DispatchError } from '@dispatch/contracts';
import type { ApiTokenCredential } from './api-token-repository.js';

/**
 * The cap on active tokens per business, made exact without transactions: a business has
 * `maxActive` numbered slots, and a token holds one by a claim document whose unique key is
 * (business, slot, generation). Claiming a slot inserts generation g+1 over the current holder g
 * (or 0 for a slot never used), so of two concurrent claimers of one slot exactly one insert
 * succeeds. A slot is free when it has no claim, or its current holder is revoked, expired or
 * missing (a claim whose token is not inserted within PENDING_CLAIM_MS).
 */
export interface SlotClaim {
  slot: number;
  gen: number;
  tokenId: string;
  claimedAt: Date;
}

/** A claim whose token is not in the store yet still holds its slot this long (insert in flight). */
export const PENDING_CLAIM_MS = 30_000;

/** The current holder of each slot: its claim with the highest generation. */
export function currentHolders(claims: readonly SlotClaim[]): Map<number, SlotClaim> {
  const holders = new Map<number, SlotClaim>();
  for (const claim of claims) {
    const held = holders.get(claim.slot);
    if (!held || held.gen < claim.gen) holders.set(claim.slot, claim);
  }
  return holders;
}

/** Whether a slot's holder still counts as an active token. */
export function holderActive(claim: SlotClaim, token: Pick<ApiTokenCredential, 'revokedAt' | 'expiresAt'> | undefined, now: Date): boolean {
  if (!token) return now.getTime() - claim.claimedAt.getTime() < PENDING_CLAIM_MS;
  if (token.revokedAt) return false;
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) return false;
  return true;
}

/** Every free slot below `maxActive`, with the generation to claim it with. */
export function freeSlots(holders: Map<number, SlotClaim>, active: (claim: SlotClaim) => boolean, maxActive: number): { slot: number; gen: number }[] {
  const free: { slot: number; gen: number }[] = [];
  for (let slot = 0; slot < maxActive; slot++) {
    const holder = holders.get(slot);
    if (!holder) free.push({ slot, gen: 0 });
    else if (!active(holder)) free.push({ slot, gen: holder.gen + 1 });
  }
  return free;
}

/** The first free slot, or null when all are held. */
export function freeSlot(holders: Map<number, SlotClaim>, active: (claim: SlotClaim) => boolean, maxActive: number): { slot: number; gen: number } | null {
  return freeSlots(holders, active, maxActive)[0] ?? null;
}

export const capReached = (maxActive: number): DispatchError =>
  new DispatchError(
    'CONFLICT',
    `This business already has ${maxActive} active API tokens, the maximum. Revoke a token you no longer need, then try again.`,
    { reason: 'token_limit', limit: maxActive },
  );
