import type { ListOwnersReply, ListOwnersRequest } from '@dispatch/contracts';
import type { IdentityContext } from './deps.js';

/**
 * identity.listOwners: the verified owners of a business, for security notices (API token
 * created, revoked, rotated). Tenant-scoped; an unknown business has no owners.
 */
export async function listOwners(ctx: Pick<IdentityContext, 'users'>, req: ListOwnersRequest): Promise<ListOwnersReply> {
  const members = await ctx.users.listByBusiness(req.businessId);
  return { owners: members.filter((u) => u.role === 'owner' && u.emailVerified).map((u) => ({ userId: u.id, email: u.email })) };
}
