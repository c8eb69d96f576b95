import { z } from 'zod';
import { BusinessId, Email, Role, UserId } from '../common.js';
import { AcceptInviteBody, InviteBody, LoginBody, RegisterBody, VerifyBody } from '../http.js';

export const RegisterRequest = RegisterBody;
export type RegisterRequest = z.infer<typeof RegisterRequest>;
/** The same reply whether the address was new or taken: no account enumeration. */
export const RegisterReply = z.object({ accepted: z.literal(true) });
export type RegisterReply = z.infer<typeof RegisterReply>;

export const VerifyRequest = VerifyBody;
export type VerifyRequest = z.infer<typeof VerifyRequest>;
export const VerifyReply = z.object({ userId: UserId, email: Email, verified: z.literal(true) });
export type VerifyReply = z.infer<typeof VerifyReply>;

export const CheckCredentialsRequest = LoginBody;
export type CheckCredentialsRequest = z.infer<typeof CheckCredentialsRequest>;
export const CheckCredentialsReply = z.object({ userId: UserId, businessId: BusinessId, role: Role, email: Email });
export type CheckCredentialsReply = z.infer<typeof CheckCredentialsReply>;

export const GetUserRequest = z.strictObject({ userId: UserId });
export type GetUserRequest = z.infer<typeof GetUserRequest>;
export const UserProfile = z.object({
  user: z.object({
    id: UserId,
    email: Email,
    firstName: z.string(),
    lastName: z.string(),
    emailVerified: z.boolean(),
    createdAt: z.string(),
  }),
  business: z.object({ id: BusinessId, name: z.string() }),
  role: Role,
});
export type UserProfile = z.infer<typeof UserProfile>;

export const CreateInviteRequest = InviteBody.extend({ businessId: BusinessId, invitedBy: UserId });
export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;
export const CreateInviteReply = z.object({ email: Email, role: Role, expiresAt: z.string() });
export type CreateInviteReply = z.infer<typeof CreateInviteReply>;

export const AcceptInviteRequest = AcceptInviteBody;
export type AcceptInviteRequest = z.infer<typeof AcceptInviteRequest>;
export const AcceptInviteReply = z.object({ userId: UserId, businessId: BusinessId, role: Role, email: Email });
export type AcceptInviteReply = z.infer<typeof AcceptInviteReply>;

