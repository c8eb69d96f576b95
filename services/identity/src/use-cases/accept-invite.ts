import { DispatchError, type AcceptInviteReply, type AcceptInviteRequest } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { hashSecretToken } from '../secrets.js';
import { isDuplicateKeyError } from '../store/errors.js';
import { compensate, type IdentityContext, type RequestMeta } from './deps.js';
import { passwordIsEmail, passwordIsEmailError } from './passwords.js';
import { tokenErrors } from './verify-email.js';

/**
 * Turns an invite into an account: already verified (the link arrived by email), in the
 * inviting business, with the invited role. The invite is claimed atomically first, so of
 * several concurrent accepts exactly one creates the account; the claim is released if the
 * account cannot be created.
 */
export async function acceptInvite(ctx: IdentityContext, req: AcceptInviteRequest, meta: RequestMeta = {}): Promise<AcceptInviteReply> {
  const log = meta.logger ?? ctx.logger;
  const invite = await ctx.invites.findByTokenHash(hashSecretToken(req.token));
  if (!invite) throw tokenErrors.invalid();
  if (invite.usedAt) throw tokenErrors.used();
  const now = ctx.clock();
  if (invite.expiresAt.getTime() <= now.getTime()) throw tokenErrors.expired();
  if (passwordIsEmail(req.password, invite.email)) throw passwordIsEmailError('password');

  // Hash before claiming, so the claim is held for as short a time as possible.
  const passwordHash = await ctx.passwords.hash(req.password);
  const claimed = await ctx.invites.markUsed(invite.id, now);
  if (!claimed) throw tokenErrors.used();
  const usedAt = claimed.usedAt ?? now;

  const userId = newId('usr');
  try {
    await ctx.users.create({
      id: userId,
      email: invite.email,
      passwordHash,
      firstName: req.firstName,
      lastName: req.lastName,
      emailVerified: true,
      businessId: invite.businessId,
      role: invite.role,
      createdAt: now,
    });
  } catch (err) {
    await compensate(log, [() => ctx.invites.releaseUse(invite.id, usedAt)]);
    if (isDuplicateKeyError(err) && err.key === 'email') {
      throw new DispatchError('CONFLICT', 'An account with this email already exists');
    }
    throw err;
  }
  log.info({ userId, businessId: invite.businessId, inviteId: invite.id }, 'invite accepted');
  return { userId, businessId: invite.businessId, role: invite.role, email: invite.email };
}
