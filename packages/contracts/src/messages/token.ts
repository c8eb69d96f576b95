import { z } from 'zod';
import { BusinessId, Role, SessionId, TokenId, UserId } from '../common.js';

export const TokenStatus = z.enum(['active', 'revoked', 'expired']);
export type TokenStatus = z.infer<typeof TokenStatus>;

/** What anyone may see of an API token: never the secret, never its hash. */
export const TokenRecord = z.object({
  id: TokenId,
  description: z.string(),
  status: TokenStatus,
  createdAt: z.string(),
  createdBy: UserId,
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: UserId.nullable(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** The authenticated caller, as established by the token service. */
export const ApiPrincipal = z.object({
  kind: z.literal('api'),
  businessId: BusinessId,
  tokenId: TokenId,
  scopes: z.array(z.string()),
});
export const SessionPrincipal = z.object({
  kind: z.literal('session'),
  businessId: BusinessId,
  userId: UserId,
  sessionId: SessionId,
  role: Role,
});
export const Principal = z.discriminatedUnion('kind', [ApiPrincipal, SessionPrincipal]);
export type ApiPrincipal = z.infer<typeof ApiPrincipal>;
export type SessionPrincipal = z.infer<typeof SessionPrincipal>;
export type Principal = z.infer<typeof Principal>;

/** Longest bearer string we ever look at; anything longer is rejected unread. */
export const MAX_TOKEN_LENGTH = 2048;

export const ValidateTokenRequest = z.strictObject({ token: z.string().min(1).max(MAX_TOKEN_LENGTH) });
export type ValidateTokenRequest = z.infer<typeof ValidateTokenRequest>;
export const InvalidTokenReason = z.enum(['malformed', 'bad_signature', 'unknown_key', 'unknown_token', 'revoked', 'expired']);
export type InvalidTokenReason = z.infer<typeof InvalidTokenReason>;
/** An invalid token is an expected outcome, so it is a value, not an error. */
export const ValidateTokenReply = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(true), principal: Principal }),
  z.object({ valid: z.literal(false), reason: InvalidTokenReason }),
]);
export type ValidateTokenReply = z.infer<typeof ValidateTokenReply>;

export const CreateSessionRequest = z.strictObject({ userId: UserId, businessId: BusinessId, role: Role });
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;
export const CreateSessionReply = z.object({ token: z.string(), sessionId: SessionId, expiresAt: z.string() });
export type CreateSessionReply = z.infer<typeof CreateSessionReply>;

export const RevokeSessionRequest = z.strictObject({ sessionId: SessionId, userId: UserId });
export type RevokeSessionRequest = z.infer<typeof RevokeSessionRequest>;
export const RevokeSessionReply = z.object({ revoked: z.literal(true) });
export type RevokeSessionReply = z.infer<typeof RevokeSessionReply>;

export const CreateApiTokenRequest = z.strictObject({
  businessId: BusinessId,
  createdBy: UserId,
  description: z.string().trim().min(1).max(100),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;
export const CreateApiTokenReply = z.object({ token: z.string(), tokenInfo: TokenRecord });
export type CreateApiTokenReply = z.infer<typeof CreateApiTokenReply>;

export const ListApiTokensRequest = z.strictObject({ businessId: BusinessId });
export type ListApiTokensRequest = z.infer<typeof ListApiTokensRequest>;
export const ListApiTokensReply = z.object({ tokens: z.array(TokenRecord) });
export type ListApiTokensReply = z.infer<typeof ListApiTokensReply>;

export const RevokeApiTokenRequest = z.strictObject({ businessId: BusinessId, tokenId: TokenId, revokedBy: UserId });
export type RevokeApiTokenRequest = z.infer<typeof RevokeApiTokenRequest>;
export const RevokeApiTokenReply = z.object({ tokenInfo: TokenRecord });
export type RevokeApiTokenReply = z.infer<typeof RevokeApiTokenReply>;
