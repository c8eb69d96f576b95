import type { RegisterReply, RegisterRequest } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { isDuplicateKeyError } from '../store/errors.js';
import { issueVerificationToken } from './verification-token.js';
import { compensate, publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

const ACCEPTED: RegisterReply = { accepted: true };

export const defaultBusinessName = (firstName: string): string => `${firstName}'s business`;

/**
 * Creates an unverified owner and their business, and a single-use verification token bound to
 * this attempt's credentials. A taken email gets the very same reply (no account enumeration):
 * - verified account: its owner is told by `user.registration_duplicate` (greeted by their own
 *   name — never text the requester chose);
 * - unverified account: this attempt gets its own verification token, mailed to the address, and
 *   verifying with it applies this attempt's password and names. So whoever registered an address
 *   first cannot keep it: the address owner verifies their own attempt (pre-registration hijacking).
 */
export async function register(ctx: IdentityContext, req: RegisterRequest, meta: RequestMeta = {}): Promise<RegisterReply> {
  const log = meta.logger ?? ctx.logger;
  const now = ctx.clock();
  const userId = newId('usr');
  const businessId = newId('biz');
  // Hash first: the expensive step happens whether or not the address is taken.
  const passwordHash = await ctx.passwords.hash(req.password);

  try {
    await ctx.users.create({
      id: userId,
      email: req.email,
      passwordHash,
      firstName: req.firstName,
      lastName: req.lastName,
      emailVerified: false,
      businessId,
      role: 'owner',
      createdAt: now,
    });
  } catch (err) {
    if (isDuplicateKeyError(err) && err.key === 'email') {
      await registerExistingAddress(ctx, req, passwordHash, meta);
      return ACCEPTED;
    }
    throw err;
  }

  // No transactions: the later steps are undone by hand if one fails, so a retry starts clean.
  let businessCreated = false;
  let tokenCreated = false;
  try {
    await ctx.businesses.create({ id: businessId, name: defaultBusinessName(req.firstName), ownerId: userId, createdAt: now });
    businessCreated = true;
    const registration = { passwordHash, firstName: req.firstName, lastName: req.lastName };
    const { token, expiresAt } = await issueVerificationToken(ctx, userId, registration);
    tokenCreated = true;
    await ctx.events.publish(
      'user.registered',
      {
        userId,
        businessId,
        email: req.email,
        firstName: req.firstName,
        verificationToken: token,
        verificationExpiresAt: expiresAt.toISOString(),
      },
      publishOptions(meta),
    );
  } catch (err) {
    await compensate(log, [
      ...(tokenCreated ? [() => ctx.verifications.deleteByUser(userId)] : []),
      ...(businessCreated ? [() => ctx.businesses.delete(businessId)] : []),
      () => ctx.users.delete(userId),
    ]);
    throw err;
  }
  log.info({ userId, businessId }, 'user registered');
  return ACCEPTED;
}

async function registerExistingAddress(ctx: IdentityContext, req: RegisterRequest, passwordHash: string, meta: RequestMeta): Promise<void> {
  const log = meta.logger ?? ctx.logger;
  const existing = await ctx.users.findByEmail(req.email);
  if (!existing || existing.emailVerified) {
    const firstName = existing?.firstName ?? req.firstName;
    await ctx.events.publish('user.registration_duplicate', { email: req.email, firstName }, publishOptions(meta));
    log.info('registration for an existing email');
    return;
  }
  const registration = { passwordHash, firstName: req.firstName, lastName: req.lastName };
  const { token, expiresAt } = await issueVerificationToken(ctx, existing.id, registration);
  // The latest attempt is what a re-sent link (which confirms no attempt of its own) will confirm.
  await ctx.users.applyRegistration(existing.id, registration);
  await ctx.events.publish(
    'user.verification_resent',
    {
      userId: existing.id,
      email: existing.email,
      firstName: req.firstName,
      verificationToken: token,
      verificationExpiresAt: expiresAt.toISOString(),
    },
    publishOptions(meta),
  );
  log.info({ userId: existing.id }, 'registration for an unverified email: a verification token for this attempt');
}
