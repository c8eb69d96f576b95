import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { DispatchError } from '@dispatch/contracts';
import { PasswordHasher } from './passwords/index.js';
import { createMemoryIdentityStores } from './store/memory-stores.js';
import { createMongoIdentityStores } from './store/mongo-stores.js';
import { failure, registration, settleEvents, startHarness, type Harness, type Stores } from './test/harness.js';
import { plus, settle, T0 } from './test/fixtures.js';
import { useMongo, type MongoHarness } from './test/mongo.js';

const HOUR = 3600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type StoreFactory = () => Promise<Stores>;

function describeIdentityService(name: string, makeStores: StoreFactory): void {
  describe(`identity service (${name} stores)`, () => {
    let h: Harness;
    afterEach(async () => {
      vi.restoreAllMocks();
      await h?.stop();
    });
    const start = async () => {
      h = await startHarness(await makeStores());
      return h;
    };

    /** Registers and verifies an owner; returns their ids. */
    async function owner(email = 'owner@example.com', password = 'owner-password') {
      await h.bus.request('identity.register', registration({ email, password, firstName: 'Olive' }));
      const registered = (await h.eventsOf('user.registered', 1)).find((e) => e.data.email === email);
      if (!registered) throw new Error('no user.registered event');
      await h.bus.request('identity.verify', { token: registered.data.verificationToken });
      return { userId: registered.data.userId, businessId: registered.data.businessId, email, password };
    }

    /** Invites `email` with `role` from `inviter` and returns the raw invite token from the event. */
    async function invite(inviter: { userId: string; businessId: string }, email: string, role: 'admin' | 'developer' | 'viewer') {
      const before = h.events.filter((e) => e.type === 'member.invited').length;
      await h.bus.request('identity.createInvite', { businessId: inviter.businessId, invitedBy: inviter.userId, email, role });
      const events = await h.eventsOf('member.invited', before + 1);
      const event = events[before];
      if (!event) throw new Error('no member.invited event');
      return event.data.inviteToken;
    }

    const acceptBody = (token: string, over: Record<string, string> = {}) => ({
      token,
      password: 'member-password',
      confirmPassword: 'member-password',
      firstName: 'Mem',
      lastName: 'Ber',
      ...over,
    });

    describe('identity.register', () => {
      it('creates an unverified owner and their business, and publishes user.registered with the token', async () => {
        await start();
        const reply = await h.bus.request('identity.register', registration({ email: '  Ada@Example.COM ' }));
        expect(reply).toEqual({ accepted: true });

        const [event] = await h.eventsOf('user.registered');
        expect(event?.data).toEqual({
          userId: expect.stringMatching(/^usr_[0-9a-z]{26}$/),
          businessId: expect.stringMatching(/^biz_[0-9a-z]{26}$/),
          email: 'ada@example.com',
          firstName: 'Ada',
          verificationToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          verificationExpiresAt: plus(T0, 24 * HOUR).toISOString(),
        });
        const data = event?.data;
        if (!data) throw new Error('no event');

        const user = await h.users.findByEmail('ada@example.com');
        expect(user).toMatchObject({
          id: data.userId,
          businessId: data.businessId,
          role: 'owner',
          emailVerified: false,
          firstName: 'Ada',
          lastName: 'Lovelace',
        });
        expect(user?.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/);
        await expect(h.businesses.findById(data.businessId)).resolves.toEqual({
          id: data.businessId,
          name: "Ada's business",
          ownerId: data.userId,
          createdAt: T0,
        });
        // Only the hash of the token is stored.
        await expect(h.verifications.findByHash(data.verificationToken)).resolves.toBeNull();
        await expect(h.verifications.findByHash(sha256(data.verificationToken))).resolves.toMatchObject({
          userId: data.userId,
          usedAt: null,
          expiresAt: plus(T0, 24 * HOUR),
        });
      });

      it('answers a verified email with the same reply and tells its owner (greeted by their own name) instead', async () => {
        await start();
        const first = await h.bus.request('identity.register', registration());
        const [registered] = await h.eventsOf('user.registered');
        await h.bus.request('identity.verify', { token: registered?.data.verificationToken ?? '' });
        const second = await h.bus.request('identity.register', registration({ email: 'ADA@example.com', password: 'another-password', firstName: 'Eve, your account is locked' }));
        expect(second).toEqual(first);
        expect(second).toEqual({ accepted: true });

        const [dup] = await h.eventsOf('user.registration_duplicate');
        expect(dup?.data).toEqual({ email: 'ada@example.com', firstName: 'Ada' });
        await settleEvents();
        expect(h.events.filter((e) => e.type === 'user.registered')).toHaveLength(1);
        // The original account is untouched.
        const user = await h.users.findByEmail('ada@example.com');
        expect(user?.firstName).toBe('Ada');
        await expect(new PasswordHasher().verify('analytical-engine', user?.passwordHash ?? '')).resolves.toBe(true);
      });

      it('an unverified address re-registered: each attempt gets its own link, and the link used decides the credentials (no pre-registration hijack)', async () => {
        await start();
        await h.bus.request('identity.register', registration({ email: 'vic@example.com', password: 'attacker-pw1', firstName: 'Att' }));
        const [attacker] = await h.eventsOf('user.registered');
        const reply = await h.bus.request('identity.register', registration({ email: 'vic@example.com', password: 'victim-pw12', firstName: 'Victim', lastName: 'Real' }));
        expect(reply).toEqual({ accepted: true });
        const [victim] = await h.eventsOf('user.verification_resent');
        expect(victim?.data).toMatchObject({ email: 'vic@example.com', firstName: 'Victim', userId: attacker?.data.userId });
        await settleEvents();
        expect(h.events.filter((e) => e.type === 'user.registration_duplicate')).toHaveLength(0);

        // The address owner verifies their own attempt: their password and names, and the other link is dead.
        await expect(h.bus.request('identity.verify', { token: victim?.data.verificationToken ?? '' })).resolves.toMatchObject({ verified: true });
        const user = await h.users.findByEmail('vic@example.com');
        expect(user).toMatchObject({ firstName: 'Victim', lastName: 'Real', emailVerified: true });
        await expect(new PasswordHasher().verify('victim-pw12', user?.passwordHash ?? '')).resolves.toBe(true);
        await expect(new PasswordHasher().verify('attacker-pw1', user?.passwordHash ?? '')).resolves.toBe(false);
        const late = await failure(h.bus.request('identity.verify', { token: attacker?.data.verificationToken ?? '' }));
        expect(late.code).toBe('VERIFICATION_TOKEN_USED');
        await expect(h.users.findByEmail('vic@example.com')).resolves.toMatchObject({ firstName: 'Victim' });
      });

      it('lets only one of several concurrent registrations of one email create an account', async () => {
        await start();
        const replies = await Promise.all(
          Array.from({ length: 5 }, (_, i) => h.bus.request('identity.register', registration({ email: 'race@example.com', firstName: `R${i}` }))),
        );
        expect(replies).toEqual(Array.from({ length: 5 }, () => ({ accepted: true })));
        const dups = await h.eventsOf('user.verification_resent', 4);
        await settleEvents();
        const registered = await h.eventsOf('user.registered');
        expect(registered).toHaveLength(1);
        expect(dups).toHaveLength(4);
        const user = await h.users.findByEmail('race@example.com');
        expect(user?.id).toBe(registered[0]?.data.userId);
        const members = await h.users.listByBusiness(user?.businessId ?? '');
        expect(members).toHaveLength(1);
      });

      it('undoes the account when user.registered cannot be published, so a retry starts clean', async () => {
        await start();
        const publish = h.bus.publish.bind(h.bus);
        const spy = vi.spyOn(h.bus, 'publish').mockImplementationOnce(async () => {
          throw new DispatchError('SERVICE_UNAVAILABLE', 'bus down');
        });
        const err = await failure(h.bus.request('identity.register', registration()));
        expect(err.code).toBe('SERVICE_UNAVAILABLE');
        await expect(h.users.findByEmail('ada@example.com')).resolves.toBeNull();
        spy.mockImplementation(publish);
        await expect(h.bus.request('identity.register', registration())).resolves.toEqual({ accepted: true });
        const [event] = await h.eventsOf('user.registered');
        await expect(h.users.findByEmail('ada@example.com')).resolves.toMatchObject({ id: event?.data.userId });
      });

      it('rejects unknown fields (strict contract)', async () => {
        await start();
        const err = await failure(
          h.bus.request('identity.register', { ...registration(), role: 'admin' } as unknown as ReturnType<typeof registration>),
        );
        expect(err.code).toBe('VALIDATION_ERROR');
        await expect(h.users.findByEmail('ada@example.com')).resolves.toBeNull();
      });
    });

    describe('identity.verify', () => {
      async function registered() {
        await h.bus.request('identity.register', registration());
        const [event] = await h.eventsOf('user.registered');
        if (!event) throw new Error('no event');
        return event.data;
      }

      it('verifies the email once and publishes user.verified', async () => {
        await start();
        const data = await registered();
        await expect(h.bus.request('identity.verify', { token: data.verificationToken })).resolves.toEqual({
          userId: data.userId,
          email: 'ada@example.com',
          verified: true,
        });
        const [verified] = await h.eventsOf('user.verified');
        expect(verified?.data).toEqual({ userId: data.userId, email: 'ada@example.com' });
        await expect(h.users.findById(data.userId)).resolves.toMatchObject({ emailVerified: true });

        const again = await failure(h.bus.request('identity.verify', { token: data.verificationToken }));
        expect(again.code).toBe('VERIFICATION_TOKEN_USED');
        await expect(h.verifications.findByHash(sha256(data.verificationToken))).resolves.toMatchObject({ attempts: 2, usedAt: T0 });
      });

      it('refuses an expired token', async () => {
        await start();
        const data = await registered();
        h.advance(24 * HOUR);
        const err = await failure(h.bus.request('identity.verify', { token: data.verificationToken }));
        expect(err.code).toBe('VERIFICATION_TOKEN_EXPIRED');
        await expect(h.users.findById(data.userId)).resolves.toMatchObject({ emailVerified: false });
      });

      it('accepts a token just before it expires', async () => {
        await start();
        const data = await registered();
        h.advance(24 * HOUR - 1);
        await expect(h.bus.request('identity.verify', { token: data.verificationToken })).resolves.toMatchObject({ verified: true });
      });

      it('refuses garbage and unknown tokens', async () => {
        await start();
        await registered();
        for (const token of ['garbage', 'x'.repeat(512), 'A'.repeat(43)]) {
          const err = await failure(h.bus.request('identity.verify', { token }));
          expect(err.code).toBe('VERIFICATION_TOKEN_INVALID');
        }
        expect((await failure(h.bus.request('identity.verify', { token: '' }))).code).toBe('VALIDATION_ERROR');
      });

      it('lets only one of two concurrent uses succeed; the other gets USED', async () => {
        await start();
        const data = await registered();
        const { ok, failed } = await settle([
          h.bus.request('identity.verify', { token: data.verificationToken }),
          h.bus.request('identity.verify', { token: data.verificationToken }),
          h.bus.request('identity.verify', { token: data.verificationToken }),
        ]);
        expect(ok).toHaveLength(1);
        expect(failed.map((e) => (e as { code: string }).code)).toEqual(['VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_USED']);
        await settleEvents();
        expect(h.events.filter((e) => e.type === 'user.verified')).toHaveLength(1);
      });
    });

    describe('identity.checkCredentials', () => {
      it('answers a wrong password and an unknown email with the same error, spending a hash on both', async () => {
        await start();
        const o = await owner();
        const dummy = vi.spyOn(PasswordHasher.prototype, 'verifyDummy');
        const wrong = await failure(h.bus.request('identity.checkCredentials', { email: o.email, password: 'not-the-password' }));
        expect(dummy).not.toHaveBeenCalled();
        const unknown = await failure(h.bus.request('identity.checkCredentials', { email: 'nobody@example.com', password: 'not-the-password' }));
        expect(dummy).toHaveBeenCalledTimes(1);
        expect(wrong).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password', details: undefined });
        expect(unknown).toEqual(wrong);
      });

      it('refuses the right password of an unverified account with EMAIL_NOT_VERIFIED', async () => {
        await start();
        await h.bus.request('identity.register', registration());
        const err = await failure(h.bus.request('identity.checkCredentials', { email: 'ada@example.com', password: 'analytical-engine' }));
        expect(err.code).toBe('EMAIL_NOT_VERIFIED');
        // …but a wrong password on an unverified account reveals nothing more.
        const wrong = await failure(h.bus.request('identity.checkCredentials', { email: 'ada@example.com', password: 'analytical-enginE' }));
        expect(wrong.code).toBe('INVALID_CREDENTIALS');
      });

      it('returns the principal for a verified account (email matched case-insensitively)', async () => {
        await start();
        const o = await owner();
        await expect(h.bus.request('identity.checkCredentials', { email: 'OWNER@example.com', password: o.password })).resolves.toEqual({
          userId: o.userId,
          businessId: o.businessId,
          role: 'owner',
          email: o.email,
        });
      });
    });

    describe('identity.getUser', () => {
      it('returns the profile', async () => {
        await start();
        const o = await owner();
        await expect(h.bus.request('identity.getUser', { userId: o.userId })).resolves.toEqual({
          user: { id: o.userId, email: o.email, firstName: 'Olive', lastName: 'Lovelace', emailVerified: true, createdAt: T0.toISOString() },
          business: { id: o.businessId, name: "Olive's business" },
          role: 'owner',
        });
      });

      it('answers NOT_FOUND for an unknown user', async () => {
        await start();
        const err = await failure(h.bus.request('identity.getUser', { userId: 'usr_00000000000000000000000000' }));
        expect(err.code).toBe('NOT_FOUND');
      });
    });

    describe('invites', () => {
      it('an owner invites a member, who accepts once and can log in right away', async () => {
        await start();
        const o = await owner();
        const reply = await h.bus.request('identity.createInvite', {
          businessId: o.businessId,
          invitedBy: o.userId,
          email: 'Dev@Example.com',
          role: 'developer',
        });
        expect(reply).toEqual({ email: 'dev@example.com', role: 'developer', expiresAt: plus(T0, 168 * HOUR).toISOString() });
        const [invited] = await h.eventsOf('member.invited');
        expect(invited?.data).toEqual({
          businessId: o.businessId,
          businessName: "Olive's business",
          email: 'dev@example.com',
          role: 'developer',
          invitedBy: o.userId,
          inviteToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          expiresAt: plus(T0, 168 * HOUR).toISOString(),
        });
        const token = invited?.data.inviteToken ?? '';
        const stored = await h.invites.listByBusiness(o.businessId);
        expect(stored).toHaveLength(1);
        expect(stored[0]?.tokenHash).toBe(sha256(token));

        const accepted = await h.bus.request('identity.acceptInvite', acceptBody(token));
        expect(accepted).toEqual({ userId: expect.stringMatching(/^usr_/), businessId: o.businessId, role: 'developer', email: 'dev@example.com' });
        await expect(h.bus.request('identity.checkCredentials', { email: 'dev@example.com', password: 'member-password' })).resolves.toEqual(accepted);
        await expect(h.users.findById(accepted.userId)).resolves.toMatchObject({ emailVerified: true, firstName: 'Mem', role: 'developer' });

        const again = await failure(h.bus.request('identity.acceptInvite', acceptBody(token, { password: 'other-password', confirmPassword: 'other-password' })));
        expect(again.code).toBe('VERIFICATION_TOKEN_USED');
        expect(await h.users.listByBusiness(o.businessId)).toHaveLength(2);
      });

      it('lets only one of concurrent accepts of one invite create the account', async () => {
        await start();
        const o = await owner();
        const token = await invite(o, 'racer@example.com', 'viewer');
        const { ok, failed } = await settle([1, 2, 3].map(() => h.bus.request('identity.acceptInvite', acceptBody(token))));
        expect(ok).toHaveLength(1);
        expect(failed.map((e) => (e as { code: string }).code)).toEqual(['VERIFICATION_TOKEN_USED', 'VERIFICATION_TOKEN_USED']);
        expect(await h.users.listByBusiness(o.businessId)).toHaveLength(2);
      });

      it('forbids a viewer from inviting (insufficient_role)', async () => {
        await start();
        const o = await owner();
        const viewer = await h.bus.request('identity.acceptInvite', acceptBody(await invite(o, 'viewer@example.com', 'viewer')));
        const err = await failure(
          h.bus.request('identity.createInvite', { businessId: o.businessId, invitedBy: viewer.userId, email: 'x@example.com', role: 'viewer' }),
        );
        expect(err.code).toBe('FORBIDDEN');
        expect(err.details).toEqual({ reason: 'insufficient_role' });
        await settleEvents();
        expect(h.events.filter((e) => e.type === 'member.invited')).toHaveLength(1);
      });

      it('forbids inviting into a business one is not a member of', async () => {
        await start();
        const a = await owner('a@example.com');
        const b = await owner('b@example.com');
        const err = await failure(
          h.bus.request('identity.createInvite', { businessId: a.businessId, invitedBy: b.userId, email: 'x@example.com', role: 'admin' }),
        );
        expect(err.code).toBe('FORBIDDEN');
        expect(err.details).toEqual({ reason: 'insufficient_role' });
      });

      it('lets an admin invite', async () => {
        await start();
        const o = await owner();
        const admin = await h.bus.request('identity.acceptInvite', acceptBody(await invite(o, 'admin@example.com', 'admin')));
        await expect(
          h.bus.request('identity.createInvite', { businessId: o.businessId, invitedBy: admin.userId, email: 'new@example.com', role: 'viewer' }),
        ).resolves.toMatchObject({ email: 'new@example.com', role: 'viewer' });
      });

      it('answers an invite to an address that has an account like any other (no enumeration), creates no invite and tells the owner', async () => {
        await start();
        const o = await owner();
        await owner('taken@example.com');
        const fresh = await h.bus.request('identity.createInvite', { businessId: o.businessId, invitedBy: o.userId, email: 'fresh@example.com', role: 'viewer' });
        const taken = await h.bus.request('identity.createInvite', { businessId: o.businessId, invitedBy: o.userId, email: 'taken@example.com', role: 'viewer' });
        expect(taken).toEqual({ ...fresh, email: 'taken@example.com' });
        const [notice] = await h.eventsOf('member.invite_existing_account');
        expect(notice?.data).toEqual({ email: 'taken@example.com', firstName: 'Olive', businessName: "Olive's business" });
        await settleEvents();
        expect(h.events.filter((e) => e.type === 'member.invited').map((e) => (e.data as { email: string }).email)).toEqual(['fresh@example.com']);
      });

      it('refuses an invitee password equal to the invited address', async () => {
        await start();
        const o = await owner();
        const token = await invite(o, 'same@example.com', 'developer');
        const err = await failure(h.bus.request('identity.acceptInvite', acceptBody(token, { password: 'Same@Example.com', confirmPassword: 'Same@Example.com' })));
        expect(err.code).toBe('VALIDATION_ERROR');
        expect(err.details).toEqual({ fields: { password: expect.any(String) } });
        await expect(h.users.findByEmail('same@example.com')).resolves.toBeNull();
        await expect(h.invites.findByTokenHash(sha256(token))).resolves.toMatchObject({ usedAt: null });
      });

      it('refuses expired and unknown invite tokens', async () => {
        await start();
        const o = await owner();
        const token = await invite(o, 'late@example.com', 'developer');
        h.advance(168 * HOUR);
        expect((await failure(h.bus.request('identity.acceptInvite', acceptBody(token)))).code).toBe('VERIFICATION_TOKEN_EXPIRED');
        expect((await failure(h.bus.request('identity.acceptInvite', acceptBody('not-a-real-token')))).code).toBe('VERIFICATION_TOKEN_INVALID');
        await expect(h.users.findByEmail('late@example.com')).resolves.toBeNull();
      });

      it('answers CONFLICT when the invited email registered meanwhile, and keeps the invite usable', async () => {
        await start();
        const o = await owner();
        const token = await invite(o, 'both@example.com', 'developer');
        await h.bus.request('identity.register', registration({ email: 'both@example.com' }));
        expect((await failure(h.bus.request('identity.acceptInvite', acceptBody(token)))).code).toBe('CONFLICT');
        await expect(h.invites.findByTokenHash(sha256(token))).resolves.toMatchObject({ usedAt: null });
      });
    });

    it('identity.ping reports the instance and readiness', async () => {
      await start();
      await expect(h.bus.request('identity.ping', {})).resolves.toEqual({ service: 'identity', instance: 'identity-test-1', ready: true });
    });
  });
}

describeIdentityService('memory', async () => createMemoryIdentityStores());

describe('mongo', () => {
  const mongo: MongoHarness = useMongo();
  describeIdentityService('mongo', async () => {
    const stores = createMongoIdentityStores(mongo.freshDb());
    await stores.init();
    return stores;
  });
});
