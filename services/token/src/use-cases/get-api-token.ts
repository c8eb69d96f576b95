import { errors, type GetApiTokenReply, type GetApiTokenRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';
import { toTokenRecordOf } from './token-record.js';

/** token.getApiToken: one of the business's tokens; another business's token is NOT_FOUND. */
export async function getApiToken(ctx: TokenContext, request: GetApiTokenRequest): Promise<GetApiTokenReply> {
  const token = await ctx.apiTokens.get(request.businessId, request.tokenId);
  if (!token) throw errors.notFound('Token');
  return { tokenInfo: await toTokenRecordOf(ctx, token) };
}
