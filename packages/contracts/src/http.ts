import { z } from 'zod';
import { Email, IsoDate, Password, PersonName, Role } from './common.js';
import { TokenRecord } from './messages/token.js';

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
export const VerifyBody = z.strictObject({
  token: z.string({ error: 'Verification token is required' }).min(1, 'Verification token is required').max(512),
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
});
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

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
} as const;
