import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryIdentityStores } from './store/memory-stores.js';
import { createMongoIdentityStores } from './store/mongo-stores.js';
import { plus, settle, T0 } from './test/fixtures.js';
import { failure, registration, settleEvents, startHarness, type Harness, type Stores } from './test/harness.js';
import { useMongo } from './test/mongo.js';

const HOUR = 3600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function describeAccountRecovery(name: string, makeStores: () => Promise<Stores>): void {
  describe(`verification resend, password reset and change (${name} stores)`, () => {
    let h: Harness;
    afterEach(async () => {
      vi.restoreAllMocks();
      await h?.stop();
    });
    const start = async () => {
      h = await startHarness(await makeStores());
      return h;
    };
    const countOf = (type: string) => h.events.filter((e) => e.type === type).length;

    /** Registers (and optionally verifies) ada@example.com; returns the user id. */
    async function ada(verified = true): Promise<string> {
      await h.bus.request('identity.register', registration());
      const [event] = await h.eventsOf('user.registered');
      if (!event) throw new Error('no user.registered');
      if (verified) await h.bus.request('identity.verify', { token: event.data.verificationToken });
      return event.data.userId;
    }

    /** Asks for a reset of ada's password and returns the raw token from the event. */
    async function resetToken(): Promise<string> {
      const before = countOf('user.password_reset_requested');
      await expect(h.bus.request('identity.requestPasswordReset', { email: ' ADA@example.com' })).resolves.toEqual({ accepted: true });
      const events = await h.eventsOf('user.password_reset_requested', before + 1);
      const token = events[before]?.data.resetToken;
      if (!token) throw new Error('no reset token');
      return token;
    }

    const login = (password: string) => h.bus.request('identity.checkCredentials', { email: 'ada@example.com', password });

    describe('identity.resendVerification', () => {
      it('mails a fresh token to an unverified account; the new token verifies it', async () => {
        await start();
        const userId = await ada(false);
        h.advance(HOUR);
        await expect(h.bus.request('identity.resendVerification', { email: 'Ada@Example.com ' })).resolves.toEqual({ accepted: true });
        const [resent] = await h.eventsOf('user.verification_resent');
        expect(resent?.data).toEqual({
          userId,
          email: 'ada@example.com',
          firstName: 'Ada',
          verificationToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          verificationExpiresAt: plus(T0, 25 * HOUR).toISOString(),
        });
        const token = resent?.data.verificationToken ?? '';
        const [registered] = await h.eventsOf('user.registered');
        expect(token).not.toBe(registered?.data.verificationToken);
        await expect(h.verifications.findByHash(token)).resolves.toBeNull();
        await expect(h.verifications.findByHash(sha256(token))).resolves.toMatchObject({ userId, usedAt: null, expiresAt: plus(T0, 25 * HOUR) });
        await expect(h.bus.request('identity.verify', { token })).resolves.toEqual({ userId, email: 'ada@example.com', verified: true });
      });

      it('answers an unknown and a verified address the same way, and mails nothing', async () => {
        await start();
        await ada(true);
        await expect(h.bus.request('identity.resendVerification', { email: 'nobody@example.com' })).resolves.toEqual({ accepted: true });
        await expect(h.bus.request('identity.resendVerification', { email: 'ada@example.com' })).resolves.toEqual({ accepted: true });
        await settleEvents();
        expect(countOf('user.verification_resent')).toBe(0);
      });

      it('still answers accepted when the event cannot be published', async () => {
        await start();
        await ada(false);
        vi.spyOn(h.bus, 'publish').mockRejectedValueOnce(new Error('bus down'));
        await expect(h.bus.request('identity.resendVerification', { email: 'ada@example.com' })).resolves.toEqual({ accepted: true });
      });
    });

    describe('identity.requestPasswordReset', () => {
      it('stores only the hash of a 1-hour token and mails the token', async () => {
        await start();
        const userId = await ada();
        const token = await resetToken();
        const [event] = await h.eventsOf('user.password_reset_requested');
        expect(event?.data).toEqual({
          userId,
          email: 'ada@example.com',
          firstName: 'Ada',
          resetToken: token,
          expiresAt: plus(T0, HOUR).toISOString(),
        });
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        await expect(h.resets.findByHash(token)).resolves.toBeNull();
        await expect(h.resets.findByHash(sha256(token))).resolves.toEqual({
          tokenHash: sha256(token),
          userId,
          expiresAt: plus(T0, HOUR),
          usedAt: null,
          attempts: 0,
          createdAt: T0,
          registration: null,
        });
        // Not a verification token.
        await expect(h.verifications.findByHash(sha256(token))).resolves.toBeNull();
        expect((await failure(h.bus.request('identity.verify', { token }))).code).toBe('VERIFICATION_TOKEN_INVALID');
      });

      it('answers an unknown address the same way and mails nothing', async () => {
        await start();
        await expect(h.bus.request('identity.requestPasswordReset', { email: 'nobody@example.com' })).resolves.toEqual({ accepted: true });
        await settleEvents();
        expect(countOf('user.password_reset_requested')).toBe(0);
      });
    });

    describe('identity.resetPassword', () => {
      const body = (token: string, password = 'brand-new-password') => ({ token, password, confirmPassword: password });

      it('sets the new password once; the old one stops working; a notice is published', async () => {
        await start();
        const userId = await ada();
        const token = await resetToken();
        await expect(h.bus.request('identity.resetPassword', body(token))).resolves.toEqual({ userId, email: 'ada@example.com' });
        await expect(login('brand-new-password')).resolves.toMatchObject({ userId });
        expect((await failure(login('analytical-engine'))).code).toBe('INVALID_CREDENTIALS');
        const [changed] = await h.eventsOf('user.password_changed');
        expect(changed?.data).toEqual({ userId, email: 'ada@example.com', firstName: 'Ada', method: 'reset' });

        const again = await failure(h.bus.request('identity.resetPassword', body(token, 'third-password')));
        expect(again).toEqual({ code: 'VERIFICATION_TOKEN_USED', message: 'The password reset token has already been used', details: undefined });
        await expect(login('brand-new-password')).resolves.toMatchObject({ userId });
        await expect(h.resets.findByHash(sha256(token))).resolves.toMatchObject({ usedAt: T0, attempts: 2 });
      });

      it('refuses an expired token (1 h) and accepts one just before', async () => {
        await start();
        await ada();
        const late = await resetToken();
        const early = await resetToken();
        h.advance(HOUR - 1);
        await expect(h.bus.request('identity.resetPassword', body(early))).resolves.toMatchObject({ email: 'ada@example.com' });
        h.advance(1);
        const err = await failure(h.bus.request('identity.resetPassword', body(late, 'other-password')));
        // The successful reset spent every other link of the user first.
        expect(err.code).toBe('VERIFICATION_TOKEN_USED');

        const fresh = await resetToken();
        h.advance(HOUR);
        expect(await failure(h.bus.request('identity.resetPassword', body(fresh, 'other-password')))).toEqual({
          code: 'VERIFICATION_TOKEN_EXPIRED',
          message: 'The password reset token has expired',
          details: undefined,
        });
        await expect(login('brand-new-password')).resolves.toMatchObject({ email: 'ada@example.com' });
      });

      it('refuses garbage and verification tokens with INVALID', async () => {
        await start();
        await h.bus.request('identity.register', registration());
        const [registered] = await h.eventsOf('user.registered');
        for (const token of ['garbage', 'A'.repeat(43), registered?.data.verificationToken ?? '']) {
          expect(await failure(h.bus.request('identity.resetPassword', body(token)))).toEqual({
            code: 'VERIFICATION_TOKEN_INVALID',
            message: 'The password reset token is invalid',
            details: undefined,
          });
        }
      });

      it('refuses the email address as the new password and keeps the link usable', async () => {
        await start();
        await ada();
        const token = await resetToken();
        const err = await failure(h.bus.request('identity.resetPassword', body(token, 'ADA@example.com')));
        expect(err).toEqual({
          code: 'VALIDATION_ERROR',
          message: 'Request body is invalid',
          details: { fields: { password: 'Password must not be your email address' } },
        });
        await expect(h.bus.request('identity.resetPassword', body(token))).resolves.toMatchObject({ email: 'ada@example.com' });
      });

      it('lets exactly one of several concurrent uses of one token win', async () => {
        await start();
        await ada();
        const token = await resetToken();
        const { ok, failed } = await settle(['pass-word-1', 'pass-word-2', 'pass-word-3'].map((p) => h.bus.request('identity.resetPassword', body(token, p))));
        expect(ok).toHaveLength(1);
        expect(failed.map((e) => (e as { code: string }).code)).toEqual(['VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_USED']);
        const winners = await Promise.all(['pass-word-1', 'pass-word-2', 'pass-word-3'].map((p) => login(p).then(() => p, () => null)));
        expect(winners.filter((w) => w !== null)).toHaveLength(1);
      });
    });

    describe('identity.changePassword', () => {
      it('changes the password with the right current one and spends open reset links', async () => {
        await start();
        const userId = await ada();
        const token = await resetToken();
        await expect(
          h.bus.request('identity.changePassword', { userId, currentPassword: 'analytical-engine', newPassword: 'difference-engine' }),
        ).resolves.toEqual({ userId, email: 'ada@example.com' });
        await expect(login('difference-engine')).resolves.toMatchObject({ userId });
        expect((await failure(login('analytical-engine'))).code).toBe('INVALID_CREDENTIALS');
        const [changed] = await h.eventsOf('user.password_changed');
        expect(changed?.data).toEqual({ userId, email: 'ada@example.com', firstName: 'Ada', method: 'change' });
        expect((await failure(h.bus.request('identity.resetPassword', { token, password: 'x-password', confirmPassword: 'x-password' }))).code).toBe(
          'VERIFICATION_TOKEN_USED',
        );
      });

      it('refuses a wrong current password with a 400 naming the field, and changes nothing', async () => {
        await start();
        const userId = await ada();
        const err = await failure(h.bus.request('identity.changePassword', { userId, currentPassword: 'analytical-enginE', newPassword: 'difference-engine' }));
        expect(err).toEqual({
          code: 'VALIDATION_ERROR',
          message: 'Current password is incorrect',
          details: { fields: { currentPassword: 'Current password is incorrect' } },
        });
        await expect(login('analytical-engine')).resolves.toMatchObject({ userId });
        await settleEvents();
        expect(countOf('user.password_changed')).toBe(0);
      });

      it('refuses the email address as the new password', async () => {
        await start();
        const userId = await ada();
        const err = await failure(h.bus.request('identity.changePassword', { userId, currentPassword: 'analytical-engine', newPassword: ' ada@example.com' }));
        expect(err.details).toEqual({ fields: { newPassword: 'Password must not be your email address' } });
        await expect(login('analytical-engine')).resolves.toMatchObject({ userId });
      });

      it('answers NOT_FOUND for an unknown user', async () => {
        await start();
        const err = await failure(
          h.bus.request('identity.changePassword', { userId: 'usr_00000000000000000000000000', currentPassword: 'x', newPassword: 'y'.repeat(8) }),
        );
        expect(err.code).toBe('NOT_FOUND');
      });
    });
  });
}

describeAccountRecovery('memory', async () => createMemoryIdentityStores());

describe('mongo', () => {
  const mongo = useMongo();
  describeAccountRecovery('mongo', async () => {
    const stores = createMongoIdentityStores(mongo.freshDb());
    await stores.init();
    return stores;
  });
});
