import type { ListApiTokensReply, ListApiTokensRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';
import { toTokenRecord } from './token-record.js';

/** token.listApiTokens: the business's tokens, newest first, without secrets or hashes. */
export async function listApiTokens(ctx: TokenContext, request: ListApiTokensRequest): Promise<ListApiTokensReply> {
  const now = ctx.now();
  const tokens = await ctx.apiTokens.list(request.businessId);
  return { tokens: tokens.map((t) => toTokenRecord(t, now)) };
}
