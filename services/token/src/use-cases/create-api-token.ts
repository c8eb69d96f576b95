import {
  DispatchError,
  defaultScopesForRole,
  errors,
  normaliseScopes,
  scopesBeyondRole,
  type CreateApiTokenReply,
  type CreateApiTokenRequest,
  type RateLimitOverride,
  type Role,
  type TokenScope,
} from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { sha256Hex } from '../tokens/hash.js';
import { signApiToken } from '../tokens/jwt.js';
import type { RequestMeta, TokenContext } from './context.js';
import type { ApiTokenEntity } from '../store/api-token-repository.js';
import { audit } from './audit.js';
import { ownerEmails } from './notify.js';
import { toTokenRecord } from './token-record.js';
import { checkOverride, effectiveQuota } from './quota.js';

/** The scopes a new token gets: the requested ones (never beyond the role) or the role's default. */
export function grantedScopes(requested: readonly TokenScope[] | undefined, role: Role): TokenScope[] {
  const scopes = normaliseScopes(requested ?? defaultScopesForRole(role));
  const beyond = scopesBeyondRole(scopes, role);
  if (beyond.length > 0) {
    throw new DispatchError('FORBIDDEN', `Your role (${role}) cannot grant ${beyond.join(', ')}; a token never carries more than its creator may`, {
      reason: 'insufficient_role',
      scopes: beyond,
    });
  }
  return scopes;
}

export interface MintInput {
  businessId: string;
  createdBy: string;
  description: string;
  scopes: string[];
  expiresAt: Date | null;
  rotatedFrom: string | null;
  /** The token's own quota (null: the plan's default). */
  rateLimit: RateLimitOverride | null;
  /** A pre-chosen id (a rotation records the new id before minting). */
  id?: string;
}

/** Signs and stores a token (under the business's cap, or in the slot of the token it replaces). */
export async function mintApiToken(ctx: TokenContext, input: MintInput, now: Date): Promise<{ token: string; entity: ApiTokenEntity }> {
  const id = input.id ?? newId('tok');
  const token = await signApiToken(ctx.keyring, { tokenId: id, businessId: input.businessId });
  const entity: ApiTokenEntity = {
    id,
    businessId: input.businessId,
    tokenHash: sha256Hex(token),
    description: input.description,
    createdBy: input.createdBy,
    createdAt: now,
    lastUsedAt: null,
    expiresAt: input.expiresAt,
    revokedAt: null,
    revokedBy: null,
    scopes: input.scopes,
    revocationReason: null,
    rotatedFrom: input.rotatedFrom,
    rateLimit: input.rateLimit,
  };
  await ctx.apiTokens.create(entity, {
    maxActive: ctx.config.maxActiveTokensPerBusiness,
    now,
    ...(input.rotatedFrom ? { replaces: input.rotatedFrom } : {}),
  });
  return { token, entity };
}

/** token.createApiToken: the secret is in this reply only; the store keeps its sha256. */
export async function createApiToken(ctx: TokenContext, request: CreateApiTokenRequest, meta: RequestMeta): Promise<CreateApiTokenReply> {
  const now = ctx.now();
  let expiresAt: Date | null = null;
  if (request.expiresAt !== undefined) {
    expiresAt = new Date(request.expiresAt);
    if (expiresAt.getTime() <= now.getTime()) {
      throw errors.validation('Request body is invalid', { fields: { expiresAt: 'expiresAt must be in the future' } });
    }
  }
  const scopes = grantedScopes(request.scopes, request.creatorRole);
  const rateLimit = request.rateLimit ?? null;
  if (rateLimit) checkOverride(ctx, request.businessId, rateLimit, request.creatorRole);
  const { token, entity } = await mintApiToken(
    ctx,
    { businessId: request.businessId, createdBy: request.createdBy, description: request.description, scopes, expiresAt, rotatedFrom: null, rateLimit },
    now,
  );
  // The audit record and the owners' addresses are independent: fetched and written together.
  const [, notifyEmails] = await Promise.all([
    audit(
      ctx,
      {
        businessId: entity.businessId,
        tokenId: entity.id,
        action: 'token.created',
        actor: { type: 'user', id: request.createdBy },
        at: now,
        clientIp: request.clientIp,
        details: { description: entity.description, scopes, expiresAt: expiresAt?.toISOString() ?? null, ...(rateLimit ? { rateLimit } : {}) },
      },
      meta,
    ),
    ownerEmails(ctx, request.businessId, meta),
  ]);
  try {
    await ctx.events.publish(
      'token.created',
      {
        businessId: request.businessId,
        tokenId: entity.id,
        description: entity.description,
        createdBy: request.createdBy,
        scopes,
        expiresAt: expiresAt?.toISOString() ?? null,
        notifyEmails,
      },
      { requestId: meta.requestId },
    );
  } catch (err) {
    // The token exists and the caller needs its secret: losing the notice beats an orphan token.
    meta.logger.error({ err, tokenId: entity.id }, 'token.created event not published');
  }
  return { token, tokenInfo: toTokenRecord(entity, now, effectiveQuota(ctx, entity, undefined)) };
}
