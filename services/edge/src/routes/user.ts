import {
  AcceptInviteBody,
  ChangePasswordBody,
  DispatchError,
  ForgotPasswordBody,
  LoginBody,
  RegisterBody,
  ResendVerificationBody,
  ResetPasswordBody,
  SessionId,
  VerifyBody,
  errors,
  type LoginResult,
} from '@dispatch/contracts';
import type { Router } from '@koa/router';
import { AccountProtection, type Attempt } from '../auth/account-protection.js';
import { requireSession } from '../auth/authenticate.js';
import { readBody } from '../http/body.js';
import { call } from '../http/call.js';
import type { EdgeContext, EdgeDeps, EdgeState } from '../http/context.js';
import { ok } from '../http/envelope.js';

const isCode = (err: unknown, code: string): boolean => err instanceof DispatchError && err.code === code;

/** A wrong current password on a password change (identity names the field). */
const isWrongCurrentPassword = (err: unknown): boolean => {
  if (!(err instanceof DispatchError) || err.code !== 'VALIDATION_ERROR') return false;
  const fields = err.details?.['fields'];
  return typeof fields === 'object' && fields !== null && 'currentPassword' in fields;
};

/**
 * Runs `step` inside a reserved attempt: the attempt counts as a failure only when `failed(err)`;
 * any other outcome gives its units back.
 */
async function counted<T>(attempt: Attempt, failed: (err: unknown) => boolean, step: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await step();
  } catch (err) {
    if (!failed(err)) await attempt.release();
    throw err;
  }
  await attempt.release();
  return result;
}

/** /api/user/*: registration, verification, login/logout, sessions, passwords, invite acceptance. */
export function userRoutes(router: Router<EdgeState>, deps: EdgeDeps): void {
  const limit = deps.config.bodyLimitBytes;
  const protection = new AccountProtection(deps);
  const invalidToken = (err: unknown) => isCode(err, 'VERIFICATION_TOKEN_INVALID');

  /**
   * Ends the user's sessions (all, or all but `except`). Retried, because the password has already
   * changed; when it still fails the caller gets 503 and can end them one by one.
   */
  async function endSessions(ctx: EdgeContext, userId: string, except?: string): Promise<number> {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const reply = await call(ctx, deps, 'token.revokeUserSessions', except ? { userId, exceptSessionId: except } : { userId });
        return reply.revoked;
      } catch (err) {
        last = err;
      }
    }
    ctx.state.logger.error({ code: last instanceof DispatchError ? last.code : 'UNKNOWN', userId }, 'sessions not ended after a password change');
    throw errors.unavailable('Your password was changed, but your sessions could not be signed out yet: end them under GET /api/user/sessions');
  }

  router.post('/api/user/register', async (ctx) => {
    const body = await readBody(ctx, RegisterBody, limit);
    // Every registration mails the address (a verification link, or a notice to its owner), so it
    // shares the per-address quota of verification emails: nobody can flood an inbox through it.
    await protection.emailRequest(ctx, 'verify', body.email);
    await call(ctx, deps, 'identity.register', body);
    // The same answer for new and existing addresses: no account enumeration.
    ok(ctx, { message: 'Check your email for a verification link to finish signing up.' }, 202);
  });

  router.post('/api/user/verify', async (ctx) => {
    const body = await readBody(ctx, VerifyBody, limit);
    const attempt = await protection.tokenAttempt(ctx);
    const reply = await counted(attempt, invalidToken, () => call(ctx, deps, 'identity.verify', body));
    ok(ctx, { verified: true, email: reply.email });
  });

  router.post('/api/user/verify/resend', async (ctx) => {
    const body = await readBody(ctx, ResendVerificationBody, limit);
    await protection.emailRequest(ctx, 'verify', body.email);
    await call(ctx, deps, 'identity.resendVerification', body);
    // The same answer whether the address is unknown, unverified or verified.
    ok(ctx, { message: 'If this address has an account that still needs verifying, a new verification link is on its way.' }, 202);
  });

  router.post('/api/user/login', async (ctx) => {
    const body = await readBody(ctx, LoginBody, limit);
    const attempt = await protection.login(ctx, body.email);
    const user = await counted(attempt, (err) => isCode(err, 'INVALID_CREDENTIALS'), () =>
      call(ctx, deps, 'identity.checkCredentials', body),
    );
    await protection.trustClient(ctx, body.email);
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

  router.get('/api/user/sessions', async (ctx) => {
    const session = await requireSession(ctx, deps);
    const reply = await call(ctx, deps, 'token.listSessions', { userId: session.userId, currentSessionId: session.sessionId });
    ctx.set('Cache-Control', 'no-store');
    ok(ctx, reply.sessions);
  });

  router.delete('/api/user/sessions/:id', async (ctx) => {
    const session = await requireSession(ctx, deps);
    const id = SessionId.safeParse(ctx.params['id']);
    // Another user's session is as unknown as a made-up id.
    if (!id.success) throw errors.notFound('Session');
    await call(ctx, deps, 'token.revokeSession', { sessionId: id.data, userId: session.userId });
    ok(ctx, { id: id.data, revoked: true });
  });

  router.post('/api/user/password/forgot', async (ctx) => {
    const body = await readBody(ctx, ForgotPasswordBody, limit);
    await protection.emailRequest(ctx, 'reset', body.email);
    await call(ctx, deps, 'identity.requestPasswordReset', body);
    ok(ctx, { message: 'If this address has an account, a password reset link is on its way.' }, 202);
  });

  router.post('/api/user/password/reset', async (ctx) => {
    const body = await readBody(ctx, ResetPasswordBody, limit);
    const attempt = await protection.tokenAttempt(ctx);
    const reply = await counted(attempt, invalidToken, () => call(ctx, deps, 'identity.resetPassword', body));
    // Whoever held the reset link holds the mailbox: every session ends, and this client is trusted.
    const sessionsEnded = await endSessions(ctx, reply.userId);
    await protection.trustClient(ctx, reply.email);
    ok(ctx, { passwordReset: true, sessionsEnded });
  });

  router.post('/api/user/password/change', async (ctx) => {
    const session = await requireSession(ctx, deps);
    const body = await readBody(ctx, ChangePasswordBody, limit);
    const attempt = await protection.passwordChange(ctx, session.userId);
    await counted(attempt, isWrongCurrentPassword, () =>
      call(ctx, deps, 'identity.changePassword', {
        userId: session.userId,
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
      }),
    );
    // The session that changed the password stays; every other one ends now.
    const sessionsEnded = await endSessions(ctx, session.userId, session.sessionId);
    ok(ctx, { passwordChanged: true, sessionsEnded });
  });

  router.post('/api/user/invite/accept', async (ctx) => {
    const body = await readBody(ctx, AcceptInviteBody, limit);
    const attempt = await protection.tokenAttempt(ctx);
    const reply = await counted(attempt, invalidToken, () => call(ctx, deps, 'identity.acceptInvite', body));
    ok(ctx, { userId: reply.userId, email: reply.email, businessId: reply.businessId, role: reply.role }, 201);
  });
}
