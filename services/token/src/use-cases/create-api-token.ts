import type { CreateApiTokenReply, CreateApiTokenRequest } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { sha256Hex } from '../tokens/hash.js';
import { signApiToken } from '../tokens/jwt.js';
import type { RequestMeta, TokenContext } from './context.js';
import type { ApiTokenEntity } from '../store/api-token-repository.js';
import { toTokenRecord } from './token-record.js';

/** token.createApiToken: the secret is in this reply only; the store keeps its sha256. */
export async function createApiToken(ctx: TokenContext, request: CreateApiTokenRequest, meta: RequestMeta): Promise<CreateApiTokenReply> {
  const now = ctx.now();
  const id = newId('tok');
  const token = await signApiToken(ctx.keyring, { tokenId: id, businessId: request.businessId });
  const entity: ApiTokenEntity = {
    id,
    businessId: request.businessId,
    tokenHash: sha256Hex(token),
    description: request.description,
    createdBy: request.createdBy,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
  };
  await ctx.apiTokens.create(entity);
  try {
    await ctx.events.publish(
      'token.created',
      { businessId: request.businessId, tokenId: id, description: request.description, createdBy: request.createdBy },
      { requestId: meta.requestId },
    );
  } catch (err) {
    // The token exists and the caller needs its secret: losing the notice beats an orphan token.
    meta.logger.error({ err, tokenId: id }, 'token.created event not published');
  }
  return { token, tokenInfo: toTokenRecord(entity, now) };
}
