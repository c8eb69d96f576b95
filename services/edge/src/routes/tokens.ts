import { CreateTokenBody, InviteBody, TokenId, errors } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { requireSession, requireTokenManager } from '../auth/authenticate.js';
import { readBody } from '../http/body.js';
import { call } from '../http/call.js';
import type { EdgeDeps, EdgeState } from '../http/context.js';
import { ok } from '../http/envelope.js';

/** Settings > API Access: /api/v1/tokens, with a user session of a role that may manage tokens. */
export function tokenRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const limit = deps.config.bodyLimitBytes;

  router.post('/api/v1/tokens', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const body = await readBody(ctx, CreateTokenBody, limit);
    const created = await call(ctx, deps, 'token.createApiToken', {
      businessId: session.businessId,
      createdBy: session.userId,
      description: body.description,
    });
    // The secret is in this response only.
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, created, 201);
  });

  router.get('/api/v1/tokens', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const reply = await call(ctx, deps, 'token.listApiTokens', { businessId: session.businessId });
    ok(ctx, reply.tokens);
  });

  router.delete('/api/v1/tokens/:id', async (ctx) => {
    const session = await requireTokenManager(ctx, deps);
    const id = TokenId.safeParse(ctx.params['id']);
    if (!id.success) throw errors.notFound('Token');
    const reply = await call(ctx, deps, 'token.revokeApiToken', {
      businessId: session.businessId,
      tokenId: id.data,
      revokedBy: session.userId,
    });
    ok(ctx, reply.tokenInfo);
  });

  router.post('/api/v1/members', async (ctx) => {
    const session = await requireSession(ctx, deps, ['owner', 'admin']);
    const body = await readBody(ctx, InviteBody, limit);
    const reply = await call(ctx, deps, 'identity.createInvite', { ...body, businessId: session.businessId, invitedBy: session.userId });
    ok(ctx, reply, 201);
  });
}
