import { z } from 'zod';
import { Email, IsoDate, Password, PersonName, Role, TokenId } from './common.js';
import { DEFAULT_GRACE_PERIOD_SECONDS, MAX_AUDIT_PAGE, MAX_GRACE_PERIOD_SECONDS, TokenRecord, UsageGranularity } from './messages/token.js';
import { RateLimitOverride } from './plans.js';
import { TokenScope } from './scopes.js';

/** POST /api/user/register — the guide's body, nothing more (unknown fields are rejected). */
export const RegisterBody = z
  .strictObject({
    email: Email,
    password: Password,
    confirmPassword: z.string({ error: 'Confirm password is required' }),
    firstName: PersonName('First name'),
    lastName: PersonName('Last name'),
    acceptedTerms: z.literal(true, { error: 'You must accept the terms' }),
  })
  .superRefine((body, ctx) => {
    if (body.password !== body.confirmPassword) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords do not match' });
    }
    if (body.password.trim().toLowerCase() === body.email) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Password must not be your email address' });
    }
  });
export type RegisterBody = z.infer<typeof RegisterBody>;

/** POST /api/user/verify */
/** An emailed token field: required, a string, at most 512 characters, each with its own message. */
const EmailedToken = (label: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
    .min(1, `${label} is required`)
    .max(512, `${label} must be at most 512 characters`);

export const VerifyBody = z.strictObject({
  token: EmailedToken('Verification token'),
});
export type VerifyBody = z.infer<typeof VerifyBody>;

/** POST /api/user/login */
export const LoginBody = z.strictObject({
  email: Email,
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(128, 'Password must be at most 128 characters'),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const LoginResult = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: IsoDate,
  user: z.object({ id: z.string(), email: z.string(), businessId: z.string(), role: Role }),
});
export type LoginResult = z.infer<typeof LoginResult>;

/** POST /api/v1/tokens */
export const CreateTokenBody = z.strictObject({
  description: z
    .string({ error: 'Description is required' })
    .trim()
    .min(1, 'Description is required')
    .max(100, 'Description must be at most 100 characters'),
  /** Optional expiry: an ISO 8601 date-time with offset, in the future. */
  expiresAt: z.iso
    .datetime({ offset: true, error: 'expiresAt must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z' })
    .refine((v) => Date.parse(v) > Date.now(), 'expiresAt must be in the future')
    .optional(),
  /** Optional scopes; default: full API access within your role (`*` for owners and admins). */
  scopes: z
    .array(TokenScope, { error: 'scopes must be an array of scope names' })
    .min(1, 'scopes must name at least one scope (omit it for full access)')
    .max(20, 'scopes must name at most 20 scopes')
    .optional(),
  /** Optional quota of its own (owner/admin only), at most the business plan's rate. Default: the plan's. */
  rateLimit: RateLimitOverride.optional(),
});
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** PATCH /api/v1/tokens/{id}: change the token's quota (owner/admin); `null` = back to the plan's default. */
export const UpdateTokenBody = z.strictObject({
  rateLimit: RateLimitOverride.nullable(),
});
export type UpdateTokenBody = z.infer<typeof UpdateTokenBody>;

/** DELETE /api/v1/tokens/{id}: an optional body. */
export const RevokeTokenBody = z.strictObject({
  reason: z
    .string({ error: 'reason must be a string' })
    .trim()
    .min(1, 'reason must not be empty')
    .max(200, 'reason must be at most 200 characters')
    .optional(),
});
export type RevokeTokenBody = z.infer<typeof RevokeTokenBody>;

/** POST /api/v1/tokens/{id}/rotate: an optional body. */
export const RotateTokenBody = z.strictObject({
  gracePeriodSeconds: z
    .number({ error: 'gracePeriodSeconds must be a number of seconds' })
    .int('gracePeriodSeconds must be a whole number of seconds')
    .min(0, 'gracePeriodSeconds must be at least 0')
    .max(MAX_GRACE_PERIOD_SECONDS, `gracePeriodSeconds must be at most ${MAX_GRACE_PERIOD_SECONDS} (7 days)`)
    .default(DEFAULT_GRACE_PERIOD_SECONDS),
});
export type RotateTokenBody = z.infer<typeof RotateTokenBody>;

/** GET /api/v1/audit?tokenId=&limit=&cursor= */
export const AuditQuery = z.strictObject({
  tokenId: TokenId.optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(MAX_AUDIT_PAGE, `limit must be at most ${MAX_AUDIT_PAGE}`)
    .default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** GET /api/v1/tokens/{id}/activity?from=&to= (default: the last 24 hours). */
export const ActivityQuery = z.strictObject({
  from: IsoDate.optional(),
  to: IsoDate.optional(),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;

/** GET /api/v1/tokens/{id}/usage?granularity=&from=&to= (default: hour, the last 24 hours). */
export const UsageQuery = z.strictObject({
  granularity: UsageGranularity.default('hour'),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

export const CreatedToken = z.object({
  /** The secret: shown in this response only. */
  token: z.string(),
  tokenInfo: TokenRecord,
});
export type CreatedToken = z.infer<typeof CreatedToken>;

/** POST /api/v1/members — invite a member of the business by email. */
export const InviteBody = z.strictObject({
  email: Email,
  role: Role.exclude(['owner'], { error: 'Role must be admin, developer or viewer' }),
});
export type InviteBody = z.infer<typeof InviteBody>;

/** POST /api/user/invite/accept */
export const AcceptInviteBody = z
  .strictObject({
    token: z.string().min(1).max(512),
    password: Password,
    confirmPassword: z.string(),
    firstName: PersonName('First name'),
    lastName: PersonName('Last name'),
  })
  .refine((b) => b.password === b.confirmPassword, { path: ['confirmPassword'], message: 'Passwords do not match' });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

/** POST /api/user/verify/resend — a fresh verification email (the same answer for any address). */
export const ResendVerificationBody = z.strictObject({ email: Email });
export type ResendVerificationBody = z.infer<typeof ResendVerificationBody>;

/** POST /api/user/password/forgot — a password-reset email (the same answer for any address). */
export const ForgotPasswordBody = z.strictObject({ email: Email });
export type ForgotPasswordBody = z.infer<typeof ForgotPasswordBody>;

/** POST /api/user/password/reset — the token from the reset email and the new password. */
export const ResetPasswordBody = z
  .strictObject({
    token: EmailedToken('Reset token'),
    password: Password,
    confirmPassword: z.string({ error: 'Confirm password is required' }),
  })
  .refine((b) => b.password === b.confirmPassword, { path: ['confirmPassword'], message: 'Passwords do not match' });
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

/** POST /api/user/password/change — with a session. */
export const ChangePasswordBody = z
  .strictObject({
    currentPassword: z
      .string({ error: 'Current password is required' })
      .min(1, 'Current password is required')
      .max(128, 'Password must be at most 128 characters'),
    newPassword: Password,
    confirmPassword: z.string({ error: 'Confirm password is required' }),
  })
  .superRefine((b, ctx) => {
    if (b.newPassword !== b.confirmPassword) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords do not match' });
    }
    if (b.newPassword === b.currentPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: 'New password must differ from the current password' });
    }
  });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** Headers the edge sets on forwarded requests; any client-sent copies are stripped. */
export const principalHeaders = {
  businessId: 'x-dispatch-business-id',
  tokenId: 'x-dispatch-token-id',
  principalType: 'x-dispatch-principal-type',
  requestId: 'x-request-id',
} as const;
/** Every header starting with this prefix is stripped from client requests before forwarding. */
export const principalHeaderPrefix = 'x-dispatch-';

export const rateLimitHeaders = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  reset: 'X-RateLimit-Reset',
  retryAfter: 'Retry-After',
  /** `enforce` or `shadow`: whether the Limit/Remaining/Reset shown are enforced. */
  mode: 'X-RateLimit-Mode',
  /** Shadow mode only: `limited` when the shadow limit would have refused this request, else `allowed`. */
  shadowDecision: 'X-RateLimit-Shadow-Decision',
} as const;
