import { z } from 'zod';
import type { TokenContext } from './context.js';

/** Broadcast topic telling every token-service instance to drop a token from its validation cache. */
export const TOKEN_INVALIDATED_TOPIC = 'token.invalidated';

/** The broadcast's payload, checked on receipt like any other NATS input. */
export const TokenInvalidated = z.strictObject({ tokenId: z.string().min(1).max(100) });

/**
 * After a change that can end a token's validity (revoke, rotate) is stored: drops it here at
 * once, then on every other instance. `broadcast` resolves once NATS has the message, and NATS
 * hands it to each instance before any request published after it (ADR 0005), so no request
 * sent after the change is acknowledged meets a stale entry. Throws when NATS cannot take it.
 */
export async function invalidateApiToken(ctx: Pick<TokenContext, 'tokenCache' | 'events'>, tokenId: string): Promise<void> {
  ctx.tokenCache.invalidate(tokenId);
  await ctx.events.broadcast(TOKEN_INVALIDATED_TOPIC, { tokenId } satisfies z.input<typeof TokenInvalidated>);
}
