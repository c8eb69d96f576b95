import type { RegisterReply, RegisterRequest } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import { hashSecretToken, newSecretToken } from '../secrets.js';
import { isDuplicateKeyError } from '../store/errors.js';
import { compensate, publishOptions, type IdentityContext, type RequestMeta } from './deps.js';

const ACCEPTED: RegisterReply = { accepted: true };

export const defaultBusinessName = (firstName: string): string => `${firstName}'s business`;

/**
 * Creates an unverified owner and their business, and a single-use verification token.
 * A taken email gets the very same reply (no account enumeration); the owner of the address
 * is told by the `user.registration_duplicate` event instead.
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
      await ctx.events.publish('user.registration_duplicate', { email: req.email, firstName: req.firstName }, publishOptions(meta));
      log.info('registration for an existing email');
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
    const token = newSecretToken();
    const expiresAt = new Date(now.getTime() + ctx.config.verificationTtlMs);
    await ctx.verifications.create({ tokenHash: hashSecretToken(token), userId, expiresAt, usedAt: null, attempts: 0, createdAt: now });
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
