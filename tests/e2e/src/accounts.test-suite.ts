import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenFromMail, waitUntil, type ReceivedMail, type SmtpSink } from '@dispatch/testkit';
import { Api, unauthorizedEnvelope, type ApiResponse } from './http-client.js';

/** Reads what the services stored (the mesh's databases), to assert what was — and was not — written. */
export interface StoreInspector {
  find(db: 'identity' | 'token', collection: string, filter?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
}

export interface AccountsTarget {
  edgeUrl: string;
  smtp: SmtpSink;
  /** Every log line written so far, when the target can tell (the mesh). */
  logs?: () => string;
  /** The stores, when the target can read them (the mesh). */
  inspect?: StoreInspector;
  /** Runs `run` against an instance whose emailed tokens expire after SHORT_LIFETIME_MS. */
  withShortTokenLifetimes(run: (edgeUrl: string) => Promise<void>): Promise<void>;
}

/**
 * The throttle settings both targets run with: the documented policy (5 failures per account,
 * exponential backoff; 5 wrong tokens per IP; 3 emails per address per hour) on 2-second base
 * windows, so a test can wait a lock out. The per-IP login limit is 8 instead of 20.
 */
export const accountsEnv = {
  LOGIN_MAX_FAILURES: '5',
  LOGIN_FAILURE_WINDOW_SECONDS: '2',
  LOGIN_BACKOFF_STEPS: '3',
  LOGIN_IP_MAX_FAILURES: '8',
  TOKEN_ATTEMPT_LIMIT: '5',
  TOKEN_ATTEMPT_WINDOW_SECONDS: '2',
  EMAIL_REQUEST_LIMIT: '3',
  EMAIL_REQUEST_WINDOW_SECONDS: '3600',
} as const;

/** Emailed tokens that expire after 3.6 s. */
export const shortLifetimesEnv = { VERIFICATION_TTL_HOURS: '0.001', INVITE_TTL_HOURS: '0.001', PASSWORD_RESET_TTL_MINUTES: '0.06' } as const;
export const SHORT_LIFETIME_MS = 3600;

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const VERIFY_SUBJECT = 'Verify your Dispatch account';
const DUPLICATE_SUBJECT = 'Someone tried to register with your address';
const RESET_SUBJECT = 'Reset your Dispatch password';
const CHANGED_SUBJECT = 'Your Dispatch password was changed';
const REGISTERED = { success: true, data: { message: 'Check your email for a verification link to finish signing up.' } };
const RESEND_ACCEPTED = {
  success: true,
  data: { message: 'If this address has an account that still needs verifying, a new verification link is on its way.' },
};
const FORGOT_ACCEPTED = { success: true, data: { message: 'If this address has an account, a password reset link is on its way.' } };
const INVALID_CREDENTIALS = { success: false, error: { code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' } };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const uniqueEmail = (tag: string) => `${tag}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@example.com`;
const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
const sessionIdOf = (jwt: string): string => String(claimsOf(jwt)['sid']);
const retryAfterOf = (res: ApiResponse): number => Number(res.headers.get('retry-after'));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** Waits for the start of a fresh epoch-aligned window of `seconds` (unless the current one just began). */
async function startOfWindow(seconds: number): Promise<void> {
  const ms = seconds * 1000;
  const into = Date.now() % ms;
  if (into > 150) await sleep(ms - into + 40);
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, success: res.body?.success, code: res.body?.error?.code }).toEqual({ status, success: false, code });
}

/** A 429 from the account throttles: envelope, message, and Retry-After equal to details.retryAfterSeconds. */
function expectThrottled(res: ApiResponse, message: RegExp): number {
  expectError(res, 429, 'RATE_LIMITED');
  const retryAfter = retryAfterOf(res);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(res.body.error.details).toEqual({ retryAfterSeconds: retryAfter });
  expect(res.body.error.message).toMatch(message);
  return retryAfter;
}
const LOGIN_THROTTLED = /^Too many failed sign-in attempts; try again in \d+ s$/;

export function describeAccounts(name: string, target: () => AccountsTarget): void {
  describe(`${name}: accounts — registration, verification, sessions, passwords, brute force`, () => {
    /** Every secret the suite handled: none may appear in a log line. */
    const secrets = new Set<string>([PASSWORD, NEW_PASSWORD]);
    const keep = (...values: string[]) => values.forEach((v) => secrets.add(v));
    let clients = 0;
    /** A client with its own IP (127.0.x.y), so failure counting of one test never touches another. */
    const freshClient = () => {
      clients++;
      return new Api(target().edgeUrl, { from: `127.0.${Math.floor(clients / 200) + 1}.${(clients % 200) + 2}` });
    };
    const api = () => new Api(target().edgeUrl);
    const smtp = () => target().smtp;
    const mailsTo = (email: string, subject: string) => smtp().to(email).filter((m) => m.subject === subject);
    const waitMail = (email: string, subject: string, nth = 1): Promise<ReceivedMail> =>
      waitUntil(() => mailsTo(email, subject).length >= nth, 15_000, `${nth} "${subject}" mail(s) to ${email}`).then(() => {
        const mail = mailsTo(email, subject)[nth - 1];
        if (!mail) throw new Error('mail vanished');
        return mail;
      });

    const registerBody = (email: string, over: Record<string, unknown> = {}) => ({
      email,
      password: PASSWORD,
      confirmPassword: PASSWORD,
      firstName: 'Ada',
      lastName: 'Lovelace',
      acceptedTerms: true,
      ...over,
    });

    async function register(email: string, client = api()): Promise<string> {
      const res = await client.post('/api/user/register', registerBody(email));
      expect(res.body).toEqual(REGISTERED);
      expect(res.status).toBe(202);
      const token = tokenFromMail(await waitMail(email.trim().toLowerCase(), VERIFY_SUBJECT));
      keep(token, sha256(token));
      return token;
    }

    const login = (client: Api, email: string, password: string) => client.post('/api/user/login', { email, password });

    async function session(client: Api, email: string, password = PASSWORD): Promise<string> {
      const res = await login(client, email, password);
      expect(res.status).toBe(200);
      const token = String(res.body.data.token);
      keep(token, sha256(token));
      return token;
    }

    /** Registers, verifies and signs in a new owner (from `client`, which becomes trusted for it). */
    async function signUp(client = api(), email = uniqueEmail('user')) {
      const verificationToken = await register(email, client);
      const verified = await client.post('/api/user/verify', { token: verificationToken });
      expect(verified.status).toBe(200);
      const res = await login(client, email, PASSWORD);
      expect(res.status).toBe(200);
      const token = String(res.body.data.token);
      keep(token, sha256(token));
      return { email, session: token, userId: String(res.body.data.user.id), businessId: String(res.body.data.user.businessId) };
    }

    const me = (token: string) => api().get('/api/user/me', { token });

    /** Proves an address has no account: a valid registration now gets a verification mail, not the duplicate notice. */
    async function expectNoAccount(email: string): Promise<void> {
      const inspect = target().inspect;
      if (inspect) expect(await inspect.find('identity', 'users', { email })).toEqual([]);
      await register(email);
      expect(mailsTo(email, DUPLICATE_SUBJECT)).toEqual([]);
    }

    describe('1. registration', () => {
      it('trims and lower-cases the email; the account is found by either spelling', async () => {
        const email = uniqueEmail('mixed');
        const token = await register(`  ${email.toUpperCase()}\t`);
        const verified = await api().post('/api/user/verify', { token });
        expect(verified.body).toEqual({ success: true, data: { verified: true, email } });
        expect((await login(api(), email, PASSWORD)).status).toBe(200);
        expect((await login(api(), ` ${email.toUpperCase()} `, PASSWORD)).status).toBe(200);
        const inspect = target().inspect;
        if (inspect) {
          const users = await inspect.find('identity', 'users', { email });
          expect(users).toHaveLength(1);
          const hash = String(users[0]?.['passwordHash']);
          keep(hash);
          expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
          expect(JSON.stringify(users)).not.toContain(PASSWORD);
        }
      });

      it('answers an existing address exactly like a new one and mails its owner instead, greeted by their own name', async () => {
        const email = uniqueEmail('dup');
        const first = await api().post('/api/user/register', registerBody(email));
        const token = tokenFromMail(await waitMail(email, VERIFY_SUBJECT));
        keep(token);
        expect((await api().post('/api/user/verify', { token })).status).toBe(200);
        const second = await api().post(
          '/api/user/register',
          registerBody(email.toUpperCase(), { password: 'another password', confirmPassword: 'another password', firstName: 'Eve your account is locked' }),
        );
        expect(second.status).toBe(first.status);
        expect(second.body).toEqual(first.body);
        expect(second.body).toEqual(REGISTERED);
        const notice = await waitMail(email, DUPLICATE_SUBJECT);
        expect(notice.text).toContain('already has an account');
        expect(notice.text).toContain('Hi Ada,');
        expect(notice.text).not.toContain('locked');
        expect(notice.text).not.toMatch(/token=/);
        expect((await login(api(), email, PASSWORD)).status).toBe(200);
        expect((await login(freshClient(), email, 'another password')).body).toEqual(INVALID_CREDENTIALS);
        expect(mailsTo(email, VERIFY_SUBJECT)).toHaveLength(1);
      });

      it('an unverified address registered again: the owner verifies their own attempt and signs in with their own password (no pre-registration hijack)', async () => {
        const email = uniqueEmail('hijack');
        await api().post('/api/user/register', registerBody(email, { password: 'attacker-pw1', confirmPassword: 'attacker-pw1', firstName: 'Att' }));
        const attackerLink = tokenFromMail(await waitMail(email, VERIFY_SUBJECT));
        const again = await freshClient().post('/api/user/register', registerBody(email, { firstName: 'Victim' }));
        expect([again.status, again.body]).toEqual([202, REGISTERED]);
        await waitMail(email, VERIFY_SUBJECT, 2);
        const victimMail = mailsTo(email, VERIFY_SUBJECT).find((m) => m.text.includes('Hi Victim'));
        if (!victimMail) throw new Error('no verification mail for the second attempt');
        const victimLink = tokenFromMail(victimMail);
        keep(attackerLink);
        keep(victimLink);
        expect((await api().post('/api/user/verify', { token: victimLink })).status).toBe(200);
        expect((await login(api(), email, PASSWORD)).status).toBe(200);
        expect((await login(freshClient(), email, 'attacker-pw1')).body).toEqual(INVALID_CREDENTIALS);
        const late = await freshClient().post('/api/user/verify', { token: attackerLink });
        expect([late.status, late.body.error?.code]).toEqual([400, 'VERIFICATION_TOKEN_USED']);
        expect(mailsTo(email, DUPLICATE_SUBJECT)).toHaveLength(0);
      });

      it('registering one address counts toward its verification-email quota (3 per hour): the 4th gets 429, new or existing alike', async () => {
        const email = uniqueEmail('flood');
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await freshClient().post('/api/user/register', registerBody(email))).status);
        expect(statuses).toEqual([202, 202, 202, 429]);
        const resend = await freshClient().post('/api/user/verify/resend', { email });
        expect([resend.status, resend.body.error?.code]).toEqual([429, 'RATE_LIMITED']);
        await waitMail(email, VERIFY_SUBJECT, 3);
        await sleep(300);
        expect(mailsTo(email, VERIFY_SUBJECT)).toHaveLength(3);
      });

      it('lets exactly one of three concurrent registrations of one address create an account', async () => {
        const email = uniqueEmail('race');
        const spellings = [email.toUpperCase(), ` ${email}`, email.replace('race', 'RaCe')];
        const replies = await Promise.all(spellings.map((e, i) => api().post('/api/user/register', registerBody(e, { firstName: `R${i}` }))));
        expect(replies.map((r) => [r.status, r.body])).toEqual(spellings.map(() => [202, REGISTERED]));
        // One account; the other two attempts on the (unverified) address each get their own link.
        await waitMail(email, VERIFY_SUBJECT, 3);
        await sleep(500);
        expect(mailsTo(email, VERIFY_SUBJECT)).toHaveLength(3);
        expect(mailsTo(email, DUPLICATE_SUBJECT)).toHaveLength(0);
        const inspect = target().inspect;
        if (inspect) {
          const users = await inspect.find('identity', 'users', { email });
          expect(users).toHaveLength(1);
          expect(await inspect.find('identity', 'businesses', { ownerId: users[0]?.['_id'] })).toHaveLength(1);
        }
      });

      type Rejection = [label: string, body: (email: string) => { body?: unknown; raw?: string }, fields: Record<string, string>];
      const withBody = (over: Record<string, unknown>) => (email: string) => ({ body: registerBody(email, over) });
      const without = (key: string) => (email: string) => {
        const body: Record<string, unknown> = registerBody(email);
        delete body[key];
        return { body };
      };
      const rawWith = (json: string) => (email: string) => ({ raw: JSON.stringify(registerBody(email)).replace(/^\{/, `{${json},`) });
      const rejections: Rejection[] = [
        ['a 7-character password', withBody({ password: 'p'.repeat(7), confirmPassword: 'p'.repeat(7) }), { password: 'Password must be at least 8 characters' }],
        ['a 129-character password', withBody({ password: 'p'.repeat(129), confirmPassword: 'p'.repeat(129) }), { password: 'Password must be at most 128 characters' }],
        ['a 7000-character password (refused before any hashing)', withBody({ password: 'p'.repeat(7000), confirmPassword: 'x' }), {
          password: 'Password must be at most 128 characters',
          confirmPassword: 'Passwords do not match',
        }],
        ['the email address as the password', (e) => ({ body: registerBody(e, { password: e.toUpperCase(), confirmPassword: e.toUpperCase() }) }), {
          password: 'Password must not be your email address',
        }],
        ['a confirmPassword that differs', withBody({ confirmPassword: `${PASSWORD}!` }), { confirmPassword: 'Passwords do not match' }],
        ['no confirmPassword', without('confirmPassword'), { confirmPassword: 'Confirm password is required' }],
        ['acceptedTerms false', withBody({ acceptedTerms: false }), { acceptedTerms: 'You must accept the terms' }],
        ['acceptedTerms "true" (a string)', withBody({ acceptedTerms: 'true' }), { acceptedTerms: 'You must accept the terms' }],
        ['no acceptedTerms', without('acceptedTerms'), { acceptedTerms: 'You must accept the terms' }],
        ['an empty firstName', withBody({ firstName: '' }), { firstName: 'First name is required' }],
        ['a blank lastName', withBody({ lastName: '   ' }), { lastName: 'Last name is required' }],
        ['a 101-character firstName', withBody({ firstName: 'n'.repeat(101) }), { firstName: 'First name must be at most 100 characters' }],
        ['a 101-character lastName', withBody({ lastName: 'n'.repeat(101) }), { lastName: 'Last name must be at most 100 characters' }],
        ['an array firstName', withBody({ firstName: ['Ada'] }), { firstName: 'First name is required' }],
        ['a numeric password', withBody({ password: 12345678, confirmPassword: 12345678 }), {
          password: 'Password is required',
          confirmPassword: 'Confirm password is required',
        }],
        ['a role', withBody({ role: 'owner' }), { role: 'Unknown field' }],
        ['emailVerified', withBody({ emailVerified: true }), { emailVerified: 'Unknown field' }],
        ['a businessId', withBody({ businessId: 'biz_0000000000000000000000000a' }), { businessId: 'Unknown field' }],
        ['a $where key', withBody({ $where: 'sleep(1000)' }), { $where: 'Unknown field' }],
        ['a $set key', withBody({ $set: { role: 'owner' } }), { $set: 'Unknown field' }],
        ['a __proto__ key', rawWith('"__proto__":{"role":"owner","emailVerified":true}'), { ['__proto__']: 'Unknown field' }],
        ['a constructor key', rawWith('"constructor":{"prototype":{"role":"owner"}}'), { constructor: 'Unknown field' }],
      ];

      it.each(rejections)('rejects %s with 400 VALIDATION_ERROR naming the field, and stores nothing', async (_label, make, fields) => {
        const email = uniqueEmail('rej');
        const { body, raw } = make(email);
        const res = await api().call('POST', '/api/user/register', body, raw === undefined ? {} : { raw });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ success: false, error: { code: 'VALIDATION_ERROR', message: 'Request body is invalid', details: { fields } } });
        await expectNoAccount(email);
      });

      it.each([
        ['a number', 42],
        ['an operator object', { $ne: '' }],
        ['an array', ['a@example.com']],
      ])('rejects an email that is %s', async (_label, email) => {
        const res = await api().post('/api/user/register', registerBody('x@example.com', { email }));
        expect(res.body).toEqual({
          success: false,
          error: { code: 'VALIDATION_ERROR', message: 'Request body is invalid', details: { fields: { email: 'Email is required' } } },
        });
      });
    });

    describe('2. business, roles and invites', () => {
      it('makes the registrant the owner of a new business; owners and admins invite, developers and viewers may not', async () => {
        const owner = await signUp();
        const profile = await me(owner.session);
        expect(profile.status).toBe(200);
        expect(profile.body.data).toMatchObject({ role: 'owner', business: { id: owner.businessId, name: "Ada's business" }, user: { email: owner.email } });

        const accept = async (email: string, role: string, inviter: string) => {
          const invited = await api().post('/api/v1/members', { email, role }, { token: inviter });
          expect(invited.status).toBe(201);
          expect(invited.body.data).toMatchObject({ email, role });
          const token = tokenFromMail(await waitMail(email, `You're invited to join Ada's business on Dispatch`));
          keep(token);
          const accepted = await api().post('/api/user/invite/accept', { token, password: PASSWORD, confirmPassword: PASSWORD, firstName: 'M', lastName: 'B' });
          expect(accepted.status).toBe(201);
          expect(accepted.body.data).toMatchObject({ email, role, businessId: owner.businessId });
          return session(api(), email);
        };
        const admin = await accept(uniqueEmail('admin'), 'admin', owner.session);
        const developer = await accept(uniqueEmail('dev'), 'developer', admin);
        const viewer = await accept(uniqueEmail('viewer'), 'viewer', owner.session);

        for (const who of [developer, viewer]) {
          const res = await api().post('/api/v1/members', { email: uniqueEmail('x'), role: 'viewer' }, { token: who });
          expectError(res, 403, 'FORBIDDEN');
          expect(res.body.error.details).toEqual({ reason: 'insufficient_role' });
        }
        const noOwners = await api().post('/api/v1/members', { email: uniqueEmail('x'), role: 'owner' }, { token: owner.session });
        expectError(noOwners, 400, 'VALIDATION_ERROR');
        for (const res of [await api().post('/api/v1/tokens', { description: 'nope' }, { token: viewer }), await api().get('/api/v1/tokens', { token: viewer })]) {
          expectError(res, 403, 'FORBIDDEN');
          expect(res.body.error.details).toEqual({ reason: 'insufficient_role' });
        }
      });

      it('an invite link works once', async () => {
        const owner = await signUp();
        const email = uniqueEmail('once');
        expect((await api().post('/api/v1/members', { email, role: 'developer' }, { token: owner.session })).status).toBe(201);
        const token = tokenFromMail(await waitMail(email, `You're invited to join Ada's business on Dispatch`));
        keep(token, sha256(token));
        const body = (password: string) => ({ token, password, confirmPassword: password, firstName: 'D', lastName: 'V' });
        expect((await api().post('/api/user/invite/accept', body(PASSWORD))).status).toBe(201);
        const again = await api().post('/api/user/invite/accept', body('second password'));
        expect(again.body).toEqual({
          success: false,
          error: { code: 'VERIFICATION_TOKEN_USED', message: 'The verification token has already been used' },
        });
        expect(again.status).toBe(400);
        expect((await login(freshClient(), email, 'second password')).body).toEqual(INVALID_CREDENTIALS);
        expect((await login(api(), email, PASSWORD)).status).toBe(200);
        const inspect = target().inspect;
        if (inspect) {
          expect(await inspect.find('identity', 'users', { email })).toHaveLength(1);
          const invites = await inspect.find('identity', 'invites', { email });
          expect(invites.map((i) => i['tokenHash'])).toEqual([sha256(token)]);
          expect(JSON.stringify(invites)).not.toContain(token);
        }
      });
    });

    describe('3. email verification', () => {
      it('works once, then USED; garbage is INVALID; only the hash is stored', async () => {
        const email = uniqueEmail('verify');
        const token = await register(email);
        expect((await login(freshClient(), email, PASSWORD)).body).toEqual({
          success: false,
          error: { code: 'EMAIL_NOT_VERIFIED', message: 'Please verify your email address before logging in' },
        });
        const inspect = target().inspect;
        if (inspect) {
          const [user] = await inspect.find('identity', 'users', { email });
          const stored = await inspect.find('identity', 'verification_tokens', { userId: user?.['_id'] });
          expect(stored.map((t) => t['tokenHash'])).toEqual([sha256(token)]);
          expect(JSON.stringify(stored)).not.toContain(token);
          const expiresAt = new Date(String(stored[0]?.['expiresAt'])).getTime();
          // 24 hours, documented.
          expect(Math.abs(expiresAt - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);
        }
        const ok = await api().post('/api/user/verify', { token });
        expect(ok.body).toEqual({ success: true, data: { verified: true, email } });
        const again = await api().post('/api/user/verify', { token });
        expect(again.status).toBe(400);
        expect(again.body).toEqual({ success: false, error: { code: 'VERIFICATION_TOKEN_USED', message: 'The verification token has already been used' } });
        const garbage = await freshClient().post('/api/user/verify', { token: 'not-a-real-token' });
        expect(garbage.status).toBe(400);
        expect(garbage.body).toEqual({ success: false, error: { code: 'VERIFICATION_TOKEN_INVALID', message: 'The verification token is invalid' } });
        expect((await login(api(), email, PASSWORD)).status).toBe(200);
      });

      it('resend: a fresh token for an unverified account; the same answer for unknown and verified addresses', async () => {
        const email = uniqueEmail('resend');
        const unknown = uniqueEmail('nobody');
        const first = await register(email);
        const resent = await api().post('/api/user/verify/resend', { email: ` ${email.toUpperCase()}` });
        expect(resent.status).toBe(202);
        expect(resent.body).toEqual(RESEND_ACCEPTED);
        const fresh = tokenFromMail(await waitMail(email, VERIFY_SUBJECT, 2));
        keep(fresh, sha256(fresh));
        expect(fresh).not.toBe(first);
        expect((await api().post('/api/user/verify', { token: fresh })).body).toEqual({ success: true, data: { verified: true, email } });

        for (const address of [unknown, email]) {
          const res = await api().post('/api/user/verify/resend', { email: address });
          expect([res.status, res.body]).toEqual([202, RESEND_ACCEPTED]);
        }
        await sleep(1500);
        expect(smtp().to(unknown)).toEqual([]);
        expect(mailsTo(email, VERIFY_SUBJECT)).toHaveLength(2);
      });

      it('registration and resend share 3 verification emails per hour per address, known or not: the 4th gets 429 with Retry-After', async () => {
        if (3600 - ((Date.now() / 1000) % 3600) < 30) await sleep(31_000); // not across the hour
        const known = uniqueEmail('quota');
        await register(known);
        for (const [address, allowed] of [[uniqueEmail('quota-unknown'), 3], [known, 2]] as const) {
          for (let i = 0; i < allowed; i++) expect((await api().post('/api/user/verify/resend', { email: address })).status).toBe(202);
          const over = await api().post('/api/user/verify/resend', { email: address.toUpperCase() });
          const retryAfter = expectThrottled(over, /^Too many emails requested for this address; try again in \d+ s$/);
          expect(retryAfter).toBeLessThanOrEqual(3600);
        }
        await waitMail(known, VERIFY_SUBJECT, 3);
        await sleep(1000);
        expect(mailsTo(known, VERIFY_SUBJECT)).toHaveLength(3);
      });

      it('5 wrong tokens per client IP per window; the 6th try gets 429 even with a valid token; after the window it works', async () => {
        const email = uniqueEmail('guess');
        const token = await register(email);
        const guesser = freshClient();
        await startOfWindow(2);
        for (let i = 0; i < 5; i++) expectError(await guesser.post('/api/user/verify', { token: `guess-${i}` }), 400, 'VERIFICATION_TOKEN_INVALID');
        const blocked = await guesser.post('/api/user/verify', { token });
        const retryAfter = expectThrottled(blocked, /^Too many invalid tokens; try again in \d+ s$/);
        expect(retryAfter).toBeLessThanOrEqual(2);
        // The reset and invite endpoints share the counter of this IP; other IPs are not affected.
        expectError(await guesser.post('/api/user/password/reset', { token: 'guess', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }), 429, 'RATE_LIMITED');
        expectError(await freshClient().post('/api/user/verify', { token: 'guess-other-ip' }), 400, 'VERIFICATION_TOKEN_INVALID');
        await sleep(retryAfter * 1000 + 100);
        expect((await guesser.post('/api/user/verify', { token })).body).toEqual({ success: true, data: { verified: true, email } });
      });
    });

    describe('4. login and sessions', () => {
      it('a wrong password and an unknown email get the same 401, in comparable time', async () => {
        const owner = await signUp();
        const wrong: number[] = [];
        const unknown: number[] = [];
        const a = freshClient();
        const b = freshClient();
        for (let i = 0; i < 4; i++) {
          let t = performance.now();
          const w = await login(a, owner.email, `wrong password ${i}`);
          wrong.push(performance.now() - t);
          t = performance.now();
          const u = await login(b, uniqueEmail('ghost'), `wrong password ${i}`);
          unknown.push(performance.now() - t);
          expect([w.status, w.body]).toEqual([401, INVALID_CREDENTIALS]);
          expect([u.status, u.body]).toEqual([401, INVALID_CREDENTIALS]);
        }
        // Without the dummy hash an unknown email would answer in a small fraction of the time.
        expect(median(unknown)).toBeGreaterThan(0.5 * median(wrong));
      });

      it('the right password of an unverified account gets 403 EMAIL_NOT_VERIFIED, and never counts as a failure', async () => {
        const email = uniqueEmail('unverified');
        await register(email);
        const client = freshClient();
        for (let i = 0; i < 7; i++) expectError(await login(client, email, PASSWORD), 403, 'EMAIL_NOT_VERIFIED');
      });

      it('a session is a JWT with its expiry; /me answers; logout ends it at once', async () => {
        const owner = await signUp();
        const res = await login(api(), owner.email, PASSWORD);
        expect(res.headers.get('cache-control')).toBe('no-store');
        const token = String(res.body.data.token);
        keep(token);
        const claims = claimsOf(token);
        expect(claims['exp']).toBe(Date.parse(res.body.data.expiresAt) / 1000);
        expect(Number(claims['exp']) - Number(claims['iat'])).toBe(28_800);
        expect((await me(token)).body.data.user.email).toBe(owner.email);
        expect((await api().post('/api/user/logout', undefined, { token })).body).toEqual({ success: true, data: { loggedOut: true } });
        const after = await me(token);
        expect([after.status, after.body]).toEqual([401, unauthorizedEnvelope]);
        expect((await me(owner.session)).status).toBe(200);
      });

      it("lists the user's sessions without secrets, marks the current one, and revokes one by id (others' → 404)", async () => {
        const owner = await signUp();
        const second = await session(api(), owner.email);
        const third = await session(api(), owner.email);
        const [s1, s2, s3] = [owner.session, second, third].map(sessionIdOf);

        const list = await api().get('/api/user/sessions', { token: owner.session });
        expect(list.status).toBe(200);
        expect(list.headers.get('cache-control')).toBe('no-store');
        expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([s3, s2, s1]);
        for (const row of list.body.data) {
          expect(Object.keys(row).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id']);
          expect(row.current).toBe(row.id === s1);
          // Expiry = the token's exp: issued-at (whole seconds) + 8 h.
          expect(Date.parse(row.expiresAt)).toBe(Math.floor(Date.parse(row.createdAt) / 1000) * 1000 + 28_800_000);
        }
        for (const token of [owner.session, second, third]) {
          expect(list.text).not.toContain(token);
          expect(list.text).not.toContain(token.split('.')[2]);
          expect(list.text).not.toContain(sha256(token));
        }

        const revoked = await api().delete(`/api/user/sessions/${s2}`, { token: owner.session });
        expect(revoked.body).toEqual({ success: true, data: { id: s2, revoked: true } });
        expect((await me(second)).body).toEqual(unauthorizedEnvelope);
        expect((await me(third)).status).toBe(200);
        expect((await api().get('/api/user/sessions', { token: third })).body.data.map((s: { id: string; current: boolean }) => [s.id, s.current])).toEqual([
          [s3, true],
          [s1, false],
        ]);

        const other = await signUp();
        const foreign = await api().delete(`/api/user/sessions/${sessionIdOf(other.session)}`, { token: owner.session });
        expect([foreign.status, foreign.body]).toEqual([404, { success: false, error: { code: 'NOT_FOUND', message: 'Session not found' } }]);
        expect((await me(other.session)).status).toBe(200);
        expectError(await api().delete('/api/user/sessions/not-a-session', { token: owner.session }), 404, 'NOT_FOUND');
        expect((await api().delete(`/api/user/sessions/${s1}`)).body).toEqual(unauthorizedEnvelope);
        expect((await api().get('/api/user/sessions')).body).toEqual(unauthorizedEnvelope);

        const inspect = target().inspect;
        if (inspect) {
          const stored = await inspect.find('token', 'sessions', { userId: owner.userId });
          expect(stored.map((s) => s['tokenHash']).sort()).toEqual([owner.session, second, third].map(sha256).sort());
          const text = JSON.stringify(stored);
          for (const token of [owner.session, second, third]) expect(text).not.toContain(token);
        }
      });
    });

    describe('5. password reset and change', () => {
      it('forgot: the same answer for any address; a real one gets a single-use 1-hour token, stored hashed; reset ends every session', async () => {
        const owner = await signUp();
        const others = [await session(api(), owner.email), await session(api(), owner.email)];
        const unknown = uniqueEmail('ghost');
        for (const email of [owner.email.toUpperCase(), unknown]) {
          const res = await api().post('/api/user/password/forgot', { email });
          expect([res.status, res.body]).toEqual([202, FORGOT_ACCEPTED]);
        }
        const mail = await waitMail(owner.email, RESET_SUBJECT);
        const token = tokenFromMail(mail);
        keep(token, sha256(token));
        expect(mail.text.split('\n')).toContain(token);
        const expires = Date.parse(/expire on (.+) and can be used once/.exec(mail.text)?.[1] ?? '');
        expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(60_000);
        const inspect = target().inspect;
        if (inspect) {
          const stored = await inspect.find('identity', 'password_reset_tokens', { userId: owner.userId });
          expect(stored.map((t) => t['tokenHash'])).toEqual([sha256(token)]);
          expect(JSON.stringify(await inspect.find('identity', 'password_reset_tokens'))).not.toContain(token);
        }

        const reset = await api().post('/api/user/password/reset', { token, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect(reset.body).toEqual({ success: true, data: { passwordReset: true, sessionsEnded: 3 } });
        for (const s of [owner.session, ...others]) expect((await me(s)).body).toEqual(unauthorizedEnvelope);
        expect((await login(freshClient(), owner.email, PASSWORD)).body).toEqual(INVALID_CREDENTIALS);
        expect((await login(api(), owner.email, NEW_PASSWORD)).status).toBe(200);

        const again = await api().post('/api/user/password/reset', { token, password: 'yet another password', confirmPassword: 'yet another password' });
        expect([again.status, again.body]).toEqual([
          400,
          { success: false, error: { code: 'VERIFICATION_TOKEN_USED', message: 'The password reset token has already been used' } },
        ]);
        const garbage = await freshClient().post('/api/user/password/reset', { token: 'garbage', password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
        expect([garbage.status, garbage.body]).toEqual([
          400,
          { success: false, error: { code: 'VERIFICATION_TOKEN_INVALID', message: 'The password reset token is invalid' } },
        ]);
        const notice = await waitMail(owner.email, CHANGED_SUBJECT);
        expect(notice.text).toContain('was just reset');
        await sleep(1000);
        expect(smtp().to(unknown)).toEqual([]);
      });

      it('reset refuses a mismatch, a short password and the email address, and keeps the link usable', async () => {
        const owner = await signUp();
        await api().post('/api/user/password/forgot', { email: owner.email });
        const token = tokenFromMail(await waitMail(owner.email, RESET_SUBJECT));
        keep(token);
        const tryReset = (password: string, confirmPassword = password) => api().post('/api/user/password/reset', { token, password, confirmPassword });
        const invalid = (fields: Record<string, string>) => ({ success: false, error: { code: 'VALIDATION_ERROR', message: 'Request body is invalid', details: { fields } } });
        expect((await tryReset(NEW_PASSWORD, `${NEW_PASSWORD}?`)).body).toEqual(invalid({ confirmPassword: 'Passwords do not match' }));
        expect((await tryReset('short')).body).toEqual(invalid({ password: 'Password must be at least 8 characters' }));
        expect((await tryReset(owner.email.toUpperCase())).body).toEqual(invalid({ password: 'Password must not be your email address' }));
        expect((await tryReset(NEW_PASSWORD)).status).toBe(200);
        expect((await login(api(), owner.email, NEW_PASSWORD)).status).toBe(200);
      });

      it('change: needs a session and the current password; ends the other sessions and keeps this one', async () => {
        const owner = await signUp();
        const other = await session(api(), owner.email);
        const change = (body: Record<string, unknown>, token?: string) => api().post('/api/user/password/change', body, token === undefined ? {} : { token });
        const good = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };

        expect((await change(good)).body).toEqual(unauthorizedEnvelope);
        const wrong = await change({ ...good, currentPassword: 'not my password' }, owner.session);
        expect([wrong.status, wrong.body]).toEqual([
          400,
          {
            success: false,
            error: { code: 'VALIDATION_ERROR', message: 'Current password is incorrect', details: { fields: { currentPassword: 'Current password is incorrect' } } },
          },
        ]);
        const same = await change({ currentPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD }, owner.session);
        expect(same.body.error.details).toEqual({ fields: { newPassword: 'New password must differ from the current password' } });
        expect((await me(other)).status).toBe(200);

        const changed = await change(good, owner.session);
        expect(changed.body).toEqual({ success: true, data: { passwordChanged: true, sessionsEnded: 1 } });
        expect((await me(owner.session)).status).toBe(200);
        expect((await me(other)).body).toEqual(unauthorizedEnvelope);
        expect((await login(freshClient(), owner.email, PASSWORD)).body).toEqual(INVALID_CREDENTIALS);
        expect((await login(api(), owner.email, NEW_PASSWORD)).status).toBe(200);
        expect((await waitMail(owner.email, CHANGED_SUBJECT)).text).toContain('was just changed');
      });

      it('wrong current passwords are throttled like logins: the 6th try gets 429, the user who waits gets through', async () => {
        const owner = await signUp();
        const change = (currentPassword: string) =>
          api().post('/api/user/password/change', { currentPassword, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, { token: owner.session });
        await startOfWindow(2);
        for (let i = 0; i < 5; i++) expectError(await change(`guess ${i}`), 400, 'VALIDATION_ERROR');
        const blocked = await change(PASSWORD);
        const retryAfter = expectThrottled(blocked, /^Too many wrong current passwords; try again in \d+ s$/);
        await sleep(retryAfter * 1000 + 100);
        expect((await change(PASSWORD)).status).toBe(200);
      });

      it('verification, invite and reset tokens expire', async () => {
        await target().withShortTokenLifetimes(async (edgeUrl) => {
          const short = new Api(edgeUrl);
          const mailed = async (email: string, subject: string) => {
            const token = tokenFromMail(await waitMail(email, subject));
            keep(token);
            return token;
          };
          // An owner signed up at once (well within the lifetime), then three tokens left to expire.
          const ownerEmail = uniqueEmail('short-owner');
          await short.post('/api/user/register', registerBody(ownerEmail));
          expect((await short.post('/api/user/verify', { token: await mailed(ownerEmail, VERIFY_SUBJECT) })).status).toBe(200);
          const owner = String((await login(short, ownerEmail, PASSWORD)).body.data.token);
          keep(owner);

          const lateEmail = uniqueEmail('late');
          await short.post('/api/user/register', registerBody(lateEmail));
          const verification = await mailed(lateEmail, VERIFY_SUBJECT);
          const inviteEmail = uniqueEmail('late-invite');
          expect((await short.post('/api/v1/members', { email: inviteEmail, role: 'viewer' }, { token: owner })).status).toBe(201);
          const invite = await mailed(inviteEmail, `You're invited to join Ada's business on Dispatch`);
          await short.post('/api/user/password/forgot', { email: ownerEmail });
          const reset = await mailed(ownerEmail, RESET_SUBJECT);
          await sleep(SHORT_LIFETIME_MS + 300);

          const expired = (res: ApiResponse, message: string) =>
            expect([res.status, res.body]).toEqual([400, { success: false, error: { code: 'VERIFICATION_TOKEN_EXPIRED', message } }]);
          expired(await short.post('/api/user/verify', { token: verification }), 'The verification token has expired');
          expired(
            await short.post('/api/user/invite/accept', { token: invite, password: PASSWORD, confirmPassword: PASSWORD, firstName: 'L', lastName: 'T' }),
            'The verification token has expired',
          );
          expired(await short.post('/api/user/password/reset', { token: reset, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }), 'The password reset token has expired');
          // Nothing changed: the late account is unverified, the invitee has no account, the old password works.
          expectError(await login(short, lateEmail, PASSWORD), 403, 'EMAIL_NOT_VERIFIED');
          expect((await login(short, inviteEmail, PASSWORD)).body).toEqual(INVALID_CREDENTIALS);
          expect((await login(short, ownerEmail, PASSWORD)).status).toBe(200);
        });
      });
    });

    describe('6. brute force', () => {
      it('5 failures per account, then 429 before the password is checked; each further failure waits longer; the user who waits gets in', async () => {
        const owner = await signUp();
        const attacker = freshClient();
        await startOfWindow(8);
        for (let i = 0; i < 5; i++) expect((await login(attacker, owner.email, `guess ${i}`)).body).toEqual(INVALID_CREDENTIALS);
        // Locked: even the right password is not checked.
        const first = expectThrottled(await login(attacker, owner.email, PASSWORD), LOGIN_THROTTLED);
        expect(first).toBeLessThanOrEqual(2);
        await sleep(first * 1000 + 100);
        // A new 2 s window, but only one more failure before the 4 s window must end.
        expect((await login(attacker, owner.email, 'guess 5')).body).toEqual(INVALID_CREDENTIALS);
        const second = expectThrottled(await login(attacker, owner.email, 'guess 6'), LOGIN_THROTTLED);
        expect(second).toBeLessThanOrEqual(2);
        await sleep(second * 1000 + 100);
        // One more, then the whole 8 s window must end: the wait has grown.
        expect((await login(attacker, owner.email, 'guess 7')).body).toEqual(INVALID_CREDENTIALS);
        const third = expectThrottled(await login(attacker, owner.email, 'guess 8'), LOGIN_THROTTLED);
        expect(third).toBeGreaterThanOrEqual(3);
        expect(third).toBeLessThanOrEqual(4);
        await sleep(third * 1000 + 100);
        const res = await login(attacker, owner.email, PASSWORD);
        expect(res.status).toBe(200);
        keep(String(res.body.data.token));
      });

      it('an unknown address is throttled exactly like a real one; of 7 concurrent guesses exactly 5 are checked', async () => {
        const owner = await signUp();
        const outcomes: number[][] = [];
        for (const email of [uniqueEmail('ghost'), owner.email]) {
          const client = freshClient();
          await startOfWindow(2);
          const replies = await Promise.all(Array.from({ length: 7 }, (_, i) => login(client, email, `guess ${i}`)));
          for (const r of replies) if (r.status === 429) expectThrottled(r, LOGIN_THROTTLED);
          outcomes.push([replies.filter((r) => r.status === 401).length, replies.filter((r) => r.status === 429).length]);
        }
        expect(outcomes).toEqual([
          [5, 2],
          [5, 2],
        ]);
      });

      it('per client IP: 8 failures per window over any accounts, then 429', async () => {
        const client = freshClient();
        await startOfWindow(2);
        const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => login(client, uniqueEmail(`spray${i}`), 'Winter2025!')));
        expect([replies.filter((r) => r.status === 401).length, replies.filter((r) => r.status === 429).length]).toEqual([8, 4]);
        expectError(await login(freshClient(), uniqueEmail('elsewhere'), 'Winter2025!'), 401, 'INVALID_CREDENTIALS');
      });

      it('an attacker cannot lock the user out of a trusted client; a new client is locked until a password reset trusts it', async () => {
        const home = freshClient();
        const owner = await signUp(home);
        const attacker = freshClient();
        /** Keeps the account locked for untrusted clients, with at least a second of the lock left. */
        const locked = async () => {
          // Guesses go in concurrent batches, so a slow (loaded) machine still fits a window's worth in one window.
          for (let round = 0; round < 20; round++) {
            const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => login(attacker, owner.email, `guess ${round}.${i}`)));
            if (replies.some((res) => res.status === 429 && retryAfterOf(res) >= 2)) return;
            if (replies.some((res) => res.status === 429)) await sleep(1100);
          }
          throw new Error('could not keep the account locked');
        };
        await locked();
        expect((await login(home, owner.email, PASSWORD)).status).toBe(200);
        const away = freshClient();
        await locked();
        expectThrottled(await login(away, owner.email, PASSWORD), LOGIN_THROTTLED);

        await away.post('/api/user/password/forgot', { email: owner.email });
        const token = tokenFromMail(await waitMail(owner.email, RESET_SUBJECT));
        keep(token);
        expect((await away.post('/api/user/password/reset', { token, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).status).toBe(200);
        await locked();
        const res = await login(away, owner.email, NEW_PASSWORD);
        expect(res.status).toBe(200);
        keep(String(res.body.data.token));
        await locked();
        expectThrottled(await login(freshClient(), owner.email, NEW_PASSWORD), LOGIN_THROTTLED);
      });
    });

    describe('8. bad input to the account endpoints: right status and envelope, service stays up', () => {
      let sessionToken = '';
      const endpoints: [path: string, needsSession: boolean][] = [
        ['/api/user/login', false],
        ['/api/user/verify', false],
        ['/api/user/verify/resend', false],
        ['/api/user/password/forgot', false],
        ['/api/user/password/reset', false],
        ['/api/user/password/change', true],
        ['/api/user/invite/accept', false],
      ];
      const cases: [label: string, input: { raw: string; contentType?: string }, status: number, code: string][] = [
        ['malformed JSON', { raw: '{"email":' }, 400, 'INVALID_JSON'],
        ['an empty body', { raw: '' }, 400, 'VALIDATION_ERROR'],
        ['a wrong content type', { raw: 'email=a@example.com', contentType: 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a body over the limit', { raw: JSON.stringify({ email: `${'x'.repeat(20_000)}@example.com` }) }, 413, 'PAYLOAD_TOO_LARGE'],
        ['an array body', { raw: '[1,2]' }, 400, 'VALIDATION_ERROR'],
        ['an unknown field', { raw: '{"isAdmin":true}' }, 400, 'VALIDATION_ERROR'],
      ];
      for (const [path, needsSession] of endpoints) {
        for (const [label, input, status, code] of cases) {
          it(`${path}: ${label} → ${status} ${code}`, async () => {
            if (needsSession && !sessionToken) sessionToken = (await signUp()).session;
            const headers = { 'content-type': input.contentType ?? 'application/json' };
            const res = await api().call('POST', path, undefined, { raw: input.raw, headers, ...(needsSession ? { token: sessionToken } : {}) });
            expectError(res, status, code);
            expect((await api().get('/healthz')).status).toBe(200);
          });
        }
      }
    });

    it('7. no password, token or hash in any log line', async () => {
      const logs = target().logs?.();
      if (logs === undefined) return;
      // The password flows ran and were logged…
      for (const line of ['"msg":"password reset"', '"msg":"password changed"', '"msg":"password reset requested"', '"msg":"verification token re-sent"']) {
        expect(logs).toContain(line);
      }
      // …without any of their secrets.
      expect(secrets.size).toBeGreaterThan(40);
      const leaked = [...secrets].filter((s) => logs.includes(s));
      expect(leaked).toEqual([]);
    });
  });
}
