import { tokenFromMail, type SmtpSink } from '@dispatch/testkit';
import type { Api } from './http-client.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export const uniqueEmail = (tag: string): string => `${tag}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;

export interface SignedUp {
  email: string;
  session: string;
  businessId: string;
  userId: string;
}

/** Registers, verifies (reading the email over SMTP) and logs in a new owner. Throws on any unexpected status. */
export async function signUp(api: Api, smtp: SmtpSink, email = uniqueEmail('owner')): Promise<SignedUp> {
  const expect = (what: string, status: number, want: number, text: string) => {
    if (status !== want) throw new Error(`${what}: expected ${want}, got ${status}: ${text}`);
  };
  const reg = await api.post('/api/user/register', {
    email,
    password: TEST_PASSWORD,
    confirmPassword: TEST_PASSWORD,
    firstName: 'Test',
    lastName: 'Owner',
    acceptedTerms: true,
  });
  expect('register', reg.status, 202, reg.text);
  const mail = await smtp.waitFor(email, (m) => /verify/i.test(m.subject));
  const verified = await api.post('/api/user/verify', { token: tokenFromMail(mail) });
  expect('verify', verified.status, 200, verified.text);
  const login = await api.post('/api/user/login', { email, password: TEST_PASSWORD });
  expect('login', login.status, 200, login.text);
  const data = login.body.data;
  return { email, session: String(data.token), businessId: String(data.user.businessId), userId: String(data.user.id) };
}

/** Creates an API token with a session; returns the secret and its id. */
export async function createApiToken(api: Api, session: string, description = 'test token'): Promise<{ token: string; id: string }> {
  const res = await api.post('/api/v1/tokens', { description }, { token: session });
  if (res.status !== 201) throw new Error(`create token: expected 201, got ${res.status}: ${res.text}`);
  return { token: String(res.body.data.token), id: String(res.body.data.tokenInfo.id) };
}

/**
 * Invites a member with `role` into the business of `ownerSession` (through `inviter`), accepts
 * the emailed invite, logs the member in through `loginVia` and returns their session token.
 */
export async function inviteMember(
  inviter: Api,
  loginVia: Api,
  smtp: SmtpSink,
  ownerSession: string,
  role: 'admin' | 'developer' | 'viewer',
): Promise<string> {
  const email = uniqueEmail(role);
  const invite = await inviter.post('/api/v1/members', { email, role }, { token: ownerSession });
  if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${invite.text}`);
  const mail = await smtp.waitFor(email, (m) => m.text.includes('invite'));
  const accepted = await inviter.post('/api/user/invite/accept', {
    token: tokenFromMail(mail),
    password: TEST_PASSWORD,
    confirmPassword: TEST_PASSWORD,
    firstName: 'Member',
    lastName: 'Person',
  });
  if (accepted.status !== 201) throw new Error(`invite accept: ${accepted.status} ${accepted.text}`);
  const login = await loginVia.post('/api/user/login', { email, password: TEST_PASSWORD });
  if (login.status !== 200) throw new Error(`member login: ${login.status} ${login.text}`);
  return String(login.body.data.token);
}
