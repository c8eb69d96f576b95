import type { ListSessionsReply, ListSessionsRequest } from '@dispatch/contracts';
import type { TokenContext } from './context.js';

/** token.listSessions: the user's active sessions, newest first; never a token or a hash. */
export async function listSessions(ctx: Pick<TokenContext, 'sessions' | 'now'>, request: ListSessionsRequest): Promise<ListSessionsReply> {
  const sessions = await ctx.sessions.listActiveByUser(request.userId, ctx.now());
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      current: s.id === request.currentSessionId,
    })),
  };
}
