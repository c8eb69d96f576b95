import { z } from 'zod';
import { BusinessId, Email, Role, UserId } from '../common.js';
import { AcceptInviteBody, InviteBody, LoginBody, RegisterBody, VerifyBody } from '../http.js';
import { ForgotPasswordBody, ResendVerificationBody, ResetPasswordBody } from '../http.js';
import { Password } from '../common.js';

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

/** identity.listOwners: the owners of a business, for security notices (token created, revoked, rotated). */
export const ListOwnersRequest = z.strictObject({ businessId: BusinessId });
export type ListOwnersRequest = z.infer<typeof ListOwnersRequest>;
export const ListOwnersReply = z.object({ owners: z.array(z.object({ userId: UserId, email: Email })) });
export type ListOwnersReply = z.infer<typeof ListOwnersReply>;

/** The one reply of requests that must not reveal whether an account exists. */
export const AcceptedReply = z.object({ accepted: z.literal(true) });
export type AcceptedReply = z.infer<typeof AcceptedReply>;

/** identity.resendVerification: a fresh token for an unverified account; nothing for others (same reply). */
export const ResendVerificationRequest = ResendVerificationBody;
export type ResendVerificationRequest = z.infer<typeof ResendVerificationRequest>;

/** identity.requestPasswordReset: a reset token by email when the account exists (same reply either way). */
export const RequestPasswordResetRequest = ForgotPasswordBody;
export type RequestPasswordResetRequest = z.infer<typeof RequestPasswordResetRequest>;

/** identity.resetPassword: spends the reset token and sets the new password. The caller ends the user's sessions. */
export const ResetPasswordRequest = ResetPasswordBody;
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;
export const PasswordChangedReply = z.object({ userId: UserId, email: Email });
export type PasswordChangedReply = z.infer<typeof PasswordChangedReply>;

/** identity.changePassword: checks the current password and sets the new one. The caller ends the other sessions. */
export const ChangePasswordRequest = z.strictObject({
  userId: UserId,
  currentPassword: z.string().min(1).max(128),
  newPassword: Password,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
