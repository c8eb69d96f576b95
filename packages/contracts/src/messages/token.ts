import { z } from 'zod';
import { BusinessId, IsoDate, Role, SessionId, TokenId, UserId } from '../common.js';
import { TokenScope } from '../scopes.js';
import { EffectiveRateLimit, PrincipalRateLimit, RateLimitOverride } from '../plans.js';

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
  /** What the token may call on the business API (`*` = full access). */
  scopes: z.array(TokenScope),
  /** Optional reason given when it was revoked. */
  revocationReason: z.string().nullable(),
  /** The token this one replaced (set on the new token of a rotation). */
  rotatedFrom: TokenId.nullable(),
  /** The token that replaced this one; it keeps working until `graceEndsAt`. */
  rotatedTo: TokenId.nullable(),
  rotatedAt: z.string().nullable(),
  graceEndsAt: z.string().nullable(),
  /** Calls made with this token after it was rotated (null when it was not rotated). */
  callsSinceRotation: z.number().int().nonnegative().nullable(),
  /** The quota this token has now (its override, or its business plan's default). */
  rateLimit: EffectiveRateLimit,
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** The authenticated caller, as established by the token service. */
export const ApiPrincipal = z.object({
  kind: z.literal('api'),
  businessId: BusinessId,
  tokenId: TokenId,
  scopes: z.array(z.string()),
  /** The token's quota (absent from token services older than plans: the edge then uses its own default). */
  rateLimit: PrincipalRateLimit.optional(),
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

export const ValidateTokenRequest = z.strictObject({
  token: z.string().min(1).max(MAX_TOKEN_LENGTH),
  /** The caller's client IP, for the audit of attempts with revoked or expired tokens. */
  clientIp: z.string().max(64).optional(),
  /** `METHOD /path` of the request being authenticated, for the audit. */
  route: z.string().max(300).optional(),
  /** Count this validation as a use of the token (last used, calls since rotation). Default true. */
  recordUsage: z.boolean().optional(),
});
export type ValidateTokenRequest = z.infer<typeof ValidateTokenRequest>;
export const InvalidTokenReason = z.enum(['malformed', 'bad_signature', 'unknown_key', 'unknown_token', 'revoked', 'expired']);
export type InvalidTokenReason = z.infer<typeof InvalidTokenReason>;
/** An invalid token is an expected outcome, so it is a value, not an error. */
export const ValidateTokenReply = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(true), principal: Principal }),
  z.object({
    valid: z.literal(false),
    reason: InvalidTokenReason,
    /** Set only for a genuine (well-signed, known) token that is revoked or expired: forensics. */
    tokenId: TokenId.optional(),
    businessId: BusinessId.optional(),
  }),
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
  /** The creator's role: a token never carries more than its creator may grant. */
  creatorRole: Role,
  description: z.string().trim().min(1).max(100),
  expiresAt: IsoDate.optional(),
  /** Defaults to full access within the creator's role (see `defaultScopesForRole`). */
  scopes: z.array(TokenScope).min(1).max(20).optional(),
  /** A quota of its own (owner/admin only; never above the business plan's). Default: the plan's. */
  rateLimit: RateLimitOverride.optional(),
  clientIp: z.string().max(64).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;
export const CreateApiTokenReply = z.object({ token: z.string(), tokenInfo: TokenRecord });
export type CreateApiTokenReply = z.infer<typeof CreateApiTokenReply>;

export const ListApiTokensRequest = z.strictObject({ businessId: BusinessId });
export type ListApiTokensRequest = z.infer<typeof ListApiTokensRequest>;
export const ListApiTokensReply = z.object({ tokens: z.array(TokenRecord) });
export type ListApiTokensReply = z.infer<typeof ListApiTokensReply>;

export const RevokeApiTokenRequest = z.strictObject({
  businessId: BusinessId,
  tokenId: TokenId,
  revokedBy: UserId,
  reason: z.string().trim().min(1).max(200).optional(),
  clientIp: z.string().max(64).optional(),
});
export type RevokeApiTokenRequest = z.infer<typeof RevokeApiTokenRequest>;
export const RevokeApiTokenReply = z.object({ tokenInfo: TokenRecord });
export type RevokeApiTokenReply = z.infer<typeof RevokeApiTokenReply>;

export const GetApiTokenRequest = z.strictObject({ businessId: BusinessId, tokenId: TokenId });
export type GetApiTokenRequest = z.infer<typeof GetApiTokenRequest>;
export const GetApiTokenReply = z.object({ tokenInfo: TokenRecord });
export type GetApiTokenReply = z.infer<typeof GetApiTokenReply>;

/** token.updateApiToken: changes a token's quota (null = back to the plan's default). */
export const UpdateApiTokenRequest = z.strictObject({
  businessId: BusinessId,
  tokenId: TokenId,
  updatedBy: UserId,
  updaterRole: Role,
  rateLimit: RateLimitOverride.nullable(),
  clientIp: z.string().max(64).optional(),
});
export type UpdateApiTokenRequest = z.infer<typeof UpdateApiTokenRequest>;
export const UpdateApiTokenReply = z.object({ tokenInfo: TokenRecord });
export type UpdateApiTokenReply = z.infer<typeof UpdateApiTokenReply>;

/** Longest grace period of a rotation: 7 days. */
export const MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_PERIOD_SECONDS = 24 * 3600;

export const RotateApiTokenRequest = z.strictObject({
  businessId: BusinessId,
  tokenId: TokenId,
  rotatedBy: UserId,
  rotatorRole: Role,
  gracePeriodSeconds: z.number().int().min(0).max(MAX_GRACE_PERIOD_SECONDS),
  clientIp: z.string().max(64).optional(),
});
export type RotateApiTokenRequest = z.infer<typeof RotateApiTokenRequest>;
/** The new token (secret shown once) and the old one as it is now. */
export const RotateApiTokenReply = z.object({ token: z.string(), tokenInfo: TokenRecord, previous: TokenRecord });
export type RotateApiTokenReply = z.infer<typeof RotateApiTokenReply>;

export const AuditAction = z.enum([
  'token.created',
  'token.revoked',
  'token.rotated',
  'token.expired',
  'token.used_after_revocation',
  'token.used_after_expiry',
  'token.rate_limit_changed',
]);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditActor = z.object({ type: z.enum(['user', 'token', 'system']), id: z.string().nullable() });
export type AuditActor = z.infer<typeof AuditActor>;

/** One audit record: who did what to which token, when, from where. */
export const AuditRecord = z.object({
  id: z.string(),
  at: z.string(),
  action: AuditAction,
  tokenId: TokenId,
  actor: AuditActor,
  clientIp: z.string().nullable(),
  route: z.string().nullable(),
  /** Attempts folded into this record (attempts with a revoked/expired token are counted per flush). */
  count: z.number().int().positive(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const MAX_AUDIT_PAGE = 100;
export const ListAuditRequest = z.strictObject({
  businessId: BusinessId,
  tokenId: TokenId.optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_PAGE),
  cursor: z.string().max(200).optional(),
});
export type ListAuditRequest = z.infer<typeof ListAuditRequest>;
export const ListAuditReply = z.object({ records: z.array(AuditRecord), nextCursor: z.string().nullable() });
export type ListAuditReply = z.infer<typeof ListAuditReply>;

/** Calls of one token in one minute, per route, status and client IP. */
export const ActivityBucket = z.object({
  minute: z.string(),
  method: z.string(),
  route: z.string(),
  status: z.number().int(),
  ip: z.string(),
  count: z.number().int().positive(),
});
export type ActivityBucket = z.infer<typeof ActivityBucket>;

export const MAX_ACTIVITY_RANGE_MS = 31 * 24 * 3600 * 1000;
export const TokenActivityRequest = z.strictObject({ businessId: BusinessId, tokenId: TokenId, from: IsoDate, to: IsoDate });
export type TokenActivityRequest = z.infer<typeof TokenActivityRequest>;
export const TokenActivityReply = z.object({
  tokenId: TokenId,
  from: z.string(),
  to: z.string(),
  totalCalls: z.number().int().nonnegative(),
  buckets: z.array(ActivityBucket),
});
export type TokenActivityReply = z.infer<typeof TokenActivityReply>;

/** Buckets of the usage endpoint, aligned to UTC. */
export const UsageGranularity = z.enum(['minute', 'hour', 'day']);
export type UsageGranularity = z.infer<typeof UsageGranularity>;
export const usageGranularityMs: Record<UsageGranularity, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Longest range per granularity (bounds the number of buckets: 1440, 744, 31). */
export const maxUsageRangeMs: Record<UsageGranularity, number> = {
  minute: 24 * 3_600_000,
  hour: 31 * 86_400_000,
  day: 31 * 86_400_000,
};

/** Calls by status class; `4xx` excludes 429, which is counted alone as `429`. */
export const UsageCounts = z.object({
  total: z.number().int().nonnegative(),
  '2xx': z.number().int().nonnegative(),
  '3xx': z.number().int().nonnegative(),
  '4xx': z.number().int().nonnegative(),
  '429': z.number().int().nonnegative(),
  '5xx': z.number().int().nonnegative(),
});
export type UsageCounts = z.infer<typeof UsageCounts>;
export const UsageBucket = UsageCounts.extend({ start: z.string() });
export type UsageBucket = z.infer<typeof UsageBucket>;

export const TokenUsageRequest = z.strictObject({
  businessId: BusinessId,
  tokenId: TokenId,
  granularity: UsageGranularity,
  from: IsoDate,
  to: IsoDate,
});
export type TokenUsageRequest = z.infer<typeof TokenUsageRequest>;
export const TokenUsageReply = z.object({
  tokenId: TokenId,
  granularity: UsageGranularity,
  /** The range, widened to whole buckets: from <= bucket start < to. */
  from: z.string(),
  to: z.string(),
  totals: UsageCounts,
  /** Every bucket of the range, oldest first (empty ones included). */
  buckets: z.array(UsageBucket),
});
export type TokenUsageReply = z.infer<typeof TokenUsageReply>;

/** token.keys: the ids of the keys tokens may be signed with. Never a secret. */
export const TokenKeysRequest = z.strictObject({});
export type TokenKeysRequest = z.infer<typeof TokenKeysRequest>;
export const TokenKeysReply = z.object({ kids: z.array(z.string()).min(1), activeKid: z.string() });
export type TokenKeysReply = z.infer<typeof TokenKeysReply>;
/** Broadcast topic on which every token-service instance announces its kids (at start and periodically). */
export const TOKEN_KEYS_TOPIC = 'token.keys';

/** One of a user's active sessions as the user sees it: never the token, never its hash. */
export const SessionInfo = z.object({
  id: SessionId,
  createdAt: z.string(),
  expiresAt: z.string(),
  /** True for the session that made the request. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** token.listSessions: the user's active (unrevoked, unexpired) sessions, newest first. */
export const ListSessionsRequest = z.strictObject({ userId: UserId, currentSessionId: SessionId.optional() });
export type ListSessionsRequest = z.infer<typeof ListSessionsRequest>;
export const ListSessionsReply = z.object({ sessions: z.array(SessionInfo) });
export type ListSessionsReply = z.infer<typeof ListSessionsReply>;

/** token.revokeUserSessions: ends every active session of a user, except `exceptSessionId` when given. */
export const RevokeUserSessionsRequest = z.strictObject({ userId: UserId, exceptSessionId: SessionId.optional() });
export type RevokeUserSessionsRequest = z.infer<typeof RevokeUserSessionsRequest>;
export const RevokeUserSessionsReply = z.object({ revoked: z.number().int().nonnegative() });
export type RevokeUserSessionsReply = z.infer<typeof RevokeUserSessionsReply>;
