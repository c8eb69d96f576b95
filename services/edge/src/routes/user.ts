import { AcceptInviteBody, LoginBody, RegisterBody, VerifyBody, type LoginResult } from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { requireSession } from '../auth/authenticate.js';
import { readBody } from '../http/body.js';
import { call } from '../http/call.js';
import type { EdgeDeps, EdgeState } from '../http/context.js';
import { ok } from '../http/envelope.js';

/** /api/user/*: registration, verification, login/logout, profile, invite acceptance. */
export function userRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const limit = deps.config.bodyLimitBytes;

  router.post('/api/user/register', async (ctx) => {
    const body = await readBody(ctx, RegisterBody, limit);
    await call(ctx, deps, 'identity.register', body);
    // The same answer for new and existing addresses: no account enumeration.
    ok(ctx, { message: 'Check your email for a verification link to finish signing up.' }, 202);
  });

  router.post('/api/user/verify', async (ctx) => {
    const body = await readBody(ctx, VerifyBody, limit);
    const reply = await call(ctx, deps, 'identity.verify', body);
    ok(ctx, { verified: true, email: reply.email });
  });

  router.post('/api/user/login', async (ctx) => {
    const body = await readBody(ctx, LoginBody, limit);
    const user = await call(ctx, deps, 'identity.checkCredentials', body);
    const session = await call(ctx, deps, 'token.createSession', {
      userId: user.userId,
      businessId: user.businessId,
      role: user.role,
    });
    const result: LoginResult = {
      token: session.token,
      tokenType: 'Bearer',
      expiresAt: session.expiresAt,
      user: { id: user.userId, email: user.email, businessId: user.businessId, role: user.role },
    };
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, result);
  });

  router.post('/api/user/logout', async (ctx) => {
    const session = await requireSession(ctx, deps);
    await call(ctx, deps, 'token.revokeSession', { sessionId: session.sessionId, userId: session.userId });
    ok(ctx, { loggedOut: true });
  });

  router.get('/api/user/me', async (ctx) => {
    const session = await requireSession(ctx, deps);
    ok(ctx, await call(ctx, deps, 'identity.getUser', { userId: session.userId }));
  });

  router.post('/api/user/invite/accept', async (ctx) => {
    const body = await readBody(ctx, AcceptInviteBody, limit);
    const reply = await call(ctx, deps, 'identity.acceptInvite', body);
    ok(ctx, { userId: reply.userId, email: reply.email, businessId: reply.businessId, role: reply.role }, 201);
  });
}
