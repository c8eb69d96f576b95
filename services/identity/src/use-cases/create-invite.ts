import { errors, type CreateInviteReply, type CreateInviteRequest, type Role } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { hashSecretToken, newSecretToken } from '../secrets.js';
import { compensate, publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

/** Roles allowed to invite members. */
export const inviterRoles: readonly Role[] = ['owner', 'admin'];

/** Invites someone by email into the inviter's business; the invite link is mailed via `member.invited`. */
export async function createInvite(ctx: IdentityContext, req: CreateInviteRequest, meta: RequestMeta = {}): Promise<CreateInviteReply> {
  const log = meta.logger ?? ctx.logger;
  const inviter = await ctx.users.findInBusiness(req.businessId, req.invitedBy);
  if (!inviter || !inviterRoles.includes(inviter.role)) {
    throw errors.forbidden('Only owners and admins can invite members', 'insufficient_role');
  }
  const business = await ctx.businesses.findById(req.businessId);
  if (!business) throw errors.notFound('Business');
  const now = ctx.clock();
  const expiresAt = new Date(now.getTime() + ctx.config.inviteTtlMs);
  const reply: CreateInviteReply = { email: req.email, role: req.role, expiresAt: expiresAt.toISOString() };
  const existing = await ctx.users.findByEmail(req.email);
  if (existing) {
    // The same answer as for any address (no account enumeration); the address owner is told instead.
    await ctx.events.publish(
      'member.invite_existing_account',
      { email: existing.email, firstName: existing.firstName, businessName: business.name },
      publishOptions(meta),
    );
    log.info({ businessId: business.id }, 'invite for an address that has an account: its owner is told');
    return reply;
  }

  const token = newSecretToken();
  const inviteId = newId('inv');
  await ctx.invites.create({
    id: inviteId,
    tokenHash: hashSecretToken(token),
    businessId: business.id,
    email: req.email,
    role: req.role,
    invitedBy: inviter.id,
    expiresAt,
    usedAt: null,
    createdAt: now,
  });
  try {
    await ctx.events.publish(
      'member.invited',
      {
        businessId: business.id,
        businessName: business.name,
        email: req.email,
        role: req.role,
        invitedBy: inviter.id,
        inviteToken: token,
        expiresAt: expiresAt.toISOString(),
      },
      publishOptions(meta),
    );
  } catch (err) {
    // Nobody can ever receive this invite's link: remove it so the inviter simply retries.
    await compensate(log, [() => ctx.invites.delete(inviteId)]);
    throw err;
  }
  log.info({ businessId: business.id, inviteId, role: req.role }, 'member invited');
  return reply;
}
