import { errors, type RevokeSessionReply, type RevokeSessionRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';

/** token.revokeSession (logout): only the session's own user may end it; idempotent. */
export async function revokeSession(ctx: TokenContext, request: RevokeSessionRequest): Promise<RevokeSessionReply> {
  const session = await ctx.sessions.revoke(request.userId, request.sessionId, ctx.now());
  if (!session) throw errors.notFound('Session');
  return { revoked: true };
}
