import { describe, expect, it } from 'vitest';
import {
  ChangePasswordBody,
  ChangePasswordRequest,
  ConsumeRequest,
  ForgotPasswordBody,
  ListSessionsReply,
  ResendVerificationBody,
  ResetPasswordBody,
  VerifyBody,
  RevokeUserSessionsRequest,
  requests,
  validationDetails,
} from './index.js';

const ses = (c = 'a') => `ses_${c.repeat(26)}`;
const usr = (c = 'a') => `usr_${c.repeat(26)}`;

function fieldsOf(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return (validationDetails((result.error?.issues ?? []) as Parameters<typeof validationDetails>[0]) as { fields: Record<string, string> })
    .fields;
}

describe.each([
  ['ResendVerificationBody', ResendVerificationBody],
  ['ForgotPasswordBody', ForgotPasswordBody],
] as const)('%s', (_name, schema) => {
  it('normalises the address', () => {
    expect(schema.parse({ email: '  Ada@Example.COM ' })).toEqual({ email: 'ada@example.com' });
  });

  it.each([{}, { email: '' }, { email: 'nope' }, { email: 42 }, { email: { $ne: '' } }])('rejects %j', (body) => {
    expect(Object.keys(fieldsOf(schema, body))).toEqual(['email']);
  });

  it('rejects any other field', () => {
    expect(fieldsOf(schema, { email: 'a@example.com', userId: usr() })).toEqual({ userId: 'Unknown field' });
  });
});

describe('ResetPasswordBody', () => {
  const good = { token: 'tok', password: 'new-password-1', confirmPassword: 'new-password-1' };

  it('accepts a token and matching passwords of 8 to 128 characters', () => {
    expect(ResetPasswordBody.parse(good)).toEqual(good);
    for (const password of ['p'.repeat(8), 'p'.repeat(128)]) {
      expect(ResetPasswordBody.safeParse({ ...good, password, confirmPassword: password }).success).toBe(true);
    }
  });

  it.each([
    ['a 7-character password', { password: 'p'.repeat(7), confirmPassword: 'p'.repeat(7) }, { password: 'Password must be at least 8 characters' }],
    ['a 129-character password', { password: 'p'.repeat(129), confirmPassword: 'p'.repeat(129) }, { password: 'Password must be at most 128 characters' }],
    ['a confirmPassword that differs', { confirmPassword: 'new-password-2' }, { confirmPassword: 'Passwords do not match' }],
    ['an empty token', { token: '' }, { token: 'Reset token is required' }],
    ['a 513-character token', { token: 't'.repeat(513) }, { token: 'Reset token must be at most 512 characters' }],
    ['a number as token', { token: 123 }, { token: 'Reset token must be a string' }],
    ['an unknown field', { userId: usr() }, { userId: 'Unknown field' }],
  ])('rejects %s', (_label, over, fields) => {
    expect(fieldsOf(ResetPasswordBody, { ...good, ...over })).toEqual(fields);
  });

  it('names what is wrong with a verification token: missing, not a string, too long', () => {
    expect(fieldsOf(VerifyBody, {})).toEqual({ token: 'Verification token is required' });
    expect(fieldsOf(VerifyBody, { token: 123 })).toEqual({ token: 'Verification token must be a string' });
    expect(fieldsOf(VerifyBody, { token: 'v'.repeat(513) })).toEqual({ token: 'Verification token must be at most 512 characters' });
    expect(VerifyBody.safeParse({ token: 'v'.repeat(512) }).success).toBe(true);
  });

  it('rejects a non-string token or password', () => {
    expect(fieldsOf(ResetPasswordBody, { ...good, token: ['x'] })).toHaveProperty('token');
    expect(fieldsOf(ResetPasswordBody, { ...good, password: 12345678, confirmPassword: 12345678 })).toHaveProperty('password');
  });
});

describe('ChangePasswordBody', () => {
  const good = { currentPassword: 'old-password', newPassword: 'new-password', confirmPassword: 'new-password' };

  it('accepts a new password that differs from the current one', () => {
    expect(ChangePasswordBody.parse(good)).toEqual(good);
  });

  it.each([
    ['the same password again', { newPassword: 'old-password', confirmPassword: 'old-password' }, { newPassword: 'New password must differ from the current password' }],
    ['a confirmPassword that differs', { confirmPassword: 'new-passwore' }, { confirmPassword: 'Passwords do not match' }],
    ['a short new password', { newPassword: 'short', confirmPassword: 'short' }, { newPassword: 'Password must be at least 8 characters' }],
    ['a 129-character current password', { currentPassword: 'c'.repeat(129) }, { currentPassword: 'Password must be at most 128 characters' }],
    ['an empty current password', { currentPassword: '' }, { currentPassword: 'Current password is required' }],
    ['a userId in the body', { userId: usr() }, { userId: 'Unknown field' }],
  ])('rejects %s', (_label, over, fields) => {
    expect(fieldsOf(ChangePasswordBody, { ...good, ...over })).toEqual(fields);
  });

  it('the bus request carries the user and no confirmation', () => {
    expect(ChangePasswordRequest.safeParse({ userId: usr(), currentPassword: 'a', newPassword: 'b'.repeat(8) }).success).toBe(true);
    expect(ChangePasswordRequest.safeParse({ userId: usr(), currentPassword: 'a', newPassword: 'b'.repeat(8), confirmPassword: 'x' }).success).toBe(false);
  });
});

describe('session messages', () => {
  it('revokeUserSessions takes a user and an optional session to keep', () => {
    expect(RevokeUserSessionsRequest.parse({ userId: usr() })).toEqual({ userId: usr() });
    expect(RevokeUserSessionsRequest.parse({ userId: usr(), exceptSessionId: ses() })).toEqual({ userId: usr(), exceptSessionId: ses() });
    expect(RevokeUserSessionsRequest.safeParse({ userId: usr(), exceptSessionId: 'tok_x' }).success).toBe(false);
  });

  it('a listed session never carries a token or a hash', () => {
    const parsed = ListSessionsReply.parse({
      sessions: [{ id: ses(), createdAt: 'c', expiresAt: 'e', current: true, token: 'secret', tokenHash: 'hash' }],
    });
    expect(parsed.sessions).toEqual([{ id: ses(), createdAt: 'c', expiresAt: 'e', current: true }]);
  });

  it('has the new subjects', () => {
    expect(requests['token.listSessions'].subject).toBe('token.v1.session.list');
    expect(requests['token.revokeUserSessions'].subject).toBe('token.v1.session.revokeUser');
    expect(requests['identity.resendVerification'].subject).toBe('identity.v1.verification.resend');
    expect(requests['identity.requestPasswordReset'].subject).toBe('identity.v1.password.forgot');
    expect(requests['identity.resetPassword'].subject).toBe('identity.v1.password.reset');
    expect(requests['identity.changePassword'].subject).toBe('identity.v1.password.change');
  });
});

describe('ConsumeRequest', () => {
  it('accepts cost 0 (read the window without consuming) and defaults to 1', () => {
    expect(ConsumeRequest.parse({ key: 'k', limit: 1, windowSeconds: 1, cost: 0 }).cost).toBe(0);
    expect(ConsumeRequest.parse({ key: 'k', limit: 1, windowSeconds: 1 }).cost).toBe(1);
    expect(ConsumeRequest.safeParse({ key: 'k', limit: 1, windowSeconds: 1, cost: -1 }).success).toBe(false);
  });
});
