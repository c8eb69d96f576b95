import type { RevokeUserSessionsReply, RevokeUserSessionsRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';

/**
 * token.revokeUserSessions: ends every active session of the user at once (validation reads the
 * store on every request), except `exceptSessionId` when given. Used after a password change
 * (keeps the current session) and a password reset (ends them all).
 */
export async function revokeUserSessions(
  ctx: Pick<TokenContext, 'sessions' | 'now'>,
  request: RevokeUserSessionsRequest,
): Promise<RevokeUserSessionsReply> {
  const revoked = await ctx.sessions.revokeAllForUser(request.userId, ctx.now(), request.exceptSessionId);
  return { revoked };
}
