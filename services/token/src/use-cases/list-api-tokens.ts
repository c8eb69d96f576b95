import type { ListApiTokensReply, ListApiTokensRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';
import { toTokenRecords } from './token-record.js';

/** token.listApiTokens: the business's tokens (revoked and expired included), newest first, without secrets or hashes. */
export async function listApiTokens(ctx: TokenContext, request: ListApiTokensRequest): Promise<ListApiTokensReply> {
  const tokens = await ctx.apiTokens.list(request.businessId);
  return { tokens: await toTokenRecords(ctx, tokens) };
}
