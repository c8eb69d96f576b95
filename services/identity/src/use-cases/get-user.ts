import { errors, type GetUserRequest, type UserProfile } from '@dispatch/contracts';
import type { IdentityContext } from './deps.js';

/** The profile of a user: account, business and role. */
export async function getUser(ctx: IdentityContext, req: GetUserRequest): Promise<UserProfile> {
  const user = await ctx.users.findById(req.userId);
  if (!user) throw errors.notFound('User');
  const business = await ctx.businesses.findById(user.businessId);
  if (!business) throw errors.notFound('Business');
  return {
    user: {
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      emailVerified: user.emailVerified,
      createdAt: user.createdAt.toISOString(),
    },
    business: { id: business.id, name: business.name },
    role: user.role,
  };
}
