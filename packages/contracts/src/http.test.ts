import { describe, expect, it } from 'vitest';
import { CreateTokenBody, LoginBody, RegisterBody, validationDetails } from './index.js';

/** The registration body from the guide. */
const guideBody = () => ({
  email: 'jane.doe@example.com',
  password: 'S3cure-Passw0rd!',
  confirmPassword: 'S3cure-Passw0rd!',
  firstName: 'Jane',
  lastName: 'Doe',
  acceptedTerms: true,
});

/** Field → first message, as the edge reports it. */
function fieldsOf(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  const details = validationDetails((result.error?.issues ?? []) as Parameters<typeof validationDetails>[0]);
  return (details as { fields: Record<string, string> }).fields;
}

describe('RegisterBody', () => {
  it("accepts the guide's body unchanged", () => {
    expect(RegisterBody.parse(guideBody())).toEqual(guideBody());
  });

  it('trims and lower-cases the email (local part and domain)', () => {
    const parsed = RegisterBody.parse({ ...guideBody(), email: '  Jane.DOE@Example.COM \n' });
    expect(parsed.email).toBe('jane.doe@example.com');
  });

  it('trims names', () => {
    const parsed = RegisterBody.parse({ ...guideBody(), firstName: '  Jane ', lastName: '\tDoe  ' });
    expect(parsed.firstName).toBe('Jane');
    expect(parsed.lastName).toBe('Doe');
  });

  it.each(['', '   ', 'not-an-email', 'a@', '@example.com', 'a b@example.com'])('rejects the email %j', (email) => {
    expect(fieldsOf(RegisterBody, { ...guideBody(), email })).toHaveProperty('email');
  });

  it('rejects an email longer than 254 characters', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`;
    expect(email.length).toBeGreaterThan(254);
    expect(fieldsOf(RegisterBody, { ...guideBody(), email }).email).toMatch(/254/);
  });

  it('accepts passwords of 8 and 128 characters', () => {
    for (const password of ['p'.repeat(8), 'p'.repeat(128)]) {
      expect(RegisterBody.safeParse({ ...guideBody(), password, confirmPassword: password }).success).toBe(true);
    }
  });

  it('rejects a 7-character password', () => {
    const password = 'p'.repeat(7);
    const fields = fieldsOf(RegisterBody, { ...guideBody(), password, confirmPassword: password });
    expect(fields.password).toBe('Password must be at least 8 characters');
  });

  it('rejects a 129-character password', () => {
    const password = 'p'.repeat(129);
    const fields = fieldsOf(RegisterBody, { ...guideBody(), password, confirmPassword: password });
    expect(fields.password).toBe('Password must be at most 128 characters');
  });

  it('rejects a confirmPassword that does not match', () => {
    const fields = fieldsOf(RegisterBody, { ...guideBody(), confirmPassword: 'S3cure-Passw0rd?' });
    expect(fields).toEqual({ confirmPassword: 'Passwords do not match' });
  });

  it('rejects a missing confirmPassword', () => {
    const { confirmPassword: _omit, ...body } = guideBody();
    expect(fieldsOf(RegisterBody, body)).toHaveProperty('confirmPassword');
  });

  it.each([false, 'true', 1, null])('rejects acceptedTerms = %j', (acceptedTerms) => {
    expect(fieldsOf(RegisterBody, { ...guideBody(), acceptedTerms })).toEqual({ acceptedTerms: 'You must accept the terms' });
  });

  it('rejects a missing acceptedTerms', () => {
    const { acceptedTerms: _omit, ...body } = guideBody();
    expect(fieldsOf(RegisterBody, body)).toEqual({ acceptedTerms: 'You must accept the terms' });
  });

  it.each(['firstName', 'lastName'] as const)('rejects an empty or blank %s', (field) => {
    for (const value of ['', '   ']) {
      expect(fieldsOf(RegisterBody, { ...guideBody(), [field]: value })).toHaveProperty(field);
    }
  });

  it.each(['firstName', 'lastName'] as const)('accepts a 100-character %s and rejects 101', (field) => {
    expect(RegisterBody.safeParse({ ...guideBody(), [field]: 'n'.repeat(100) }).success).toBe(true);
    expect(fieldsOf(RegisterBody, { ...guideBody(), [field]: 'n'.repeat(101) })[field]).toMatch(/at most 100/);
  });

  it.each(['firstName', 'lastName'] as const)('rejects control and text-direction characters in %s, keeps other Unicode', (field) => {
    for (const value of ['Eve\r\nBcc: x@example.com', 'Eve\u0000', 'Eve\u202egnp.exe', 'Ev\u2066e', 'Eve\u0085']) {
      expect(fieldsOf(RegisterBody, { ...guideBody(), [field]: value })[field]).toBe(
        `${field === 'firstName' ? 'First name' : 'Last name'} must not contain control or text-direction characters`,
      );
    }
    for (const value of ['Zoë', "O'Brien", 'José-María', '李', 'Ωmega Ñ']) expect(RegisterBody.safeParse({ ...guideBody(), [field]: value }).success).toBe(true);
  });

  it.each([
    ['role', 'owner'],
    ['emailVerified', true],
    ['businessId', 'biz_0000000000000000000000000a'],
    ['$where', 'sleep(1000)'],
    ['isAdmin', true],
  ])('rejects the unknown key %s', (key, value) => {
    const fields = fieldsOf(RegisterBody, { ...guideBody(), [key]: value });
    expect(fields).toEqual({ [key]: 'Unknown field' });
  });

  it('rejects a __proto__ key coming from JSON.parse', () => {
    const raw = JSON.stringify(guideBody()).replace(/^\{/, '{"__proto__":{"role":"owner","emailVerified":true},');
    const body: unknown = JSON.parse(raw);
    expect(Object.hasOwn(body as object, '__proto__')).toBe(true);
    const result = RegisterBody.safeParse(body);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['__proto__'] })]);
    // Nothing leaks onto the prototype chain.
    expect(({} as Record<string, unknown>)['role']).toBeUndefined();
  });

  it('rejects a constructor/prototype pollution attempt', () => {
    const body: unknown = JSON.parse(JSON.stringify({ ...guideBody(), constructor: { prototype: { role: 'owner' } } }));
    const result = RegisterBody.safeParse(body);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['constructor'] })]);
  });

  // Regression: validationDetails once built `fields` as a plain object, so keys that
  // Object.prototype already has (`__proto__`, `constructor`, `toString`) vanished from the details.
  it.each(['__proto__', 'constructor', 'toString'])('validationDetails names the unknown key %s', (key) => {
    const body: unknown = JSON.parse(JSON.stringify(guideBody()).replace(/^\{/, `{"${key}":1,`));
    const result = RegisterBody.safeParse(body);
    expect(result.success).toBe(false);
    if (result.success) return;
    const { fields } = validationDetails(result.error.issues) as { fields: Record<string, string> };
    expect(Object.hasOwn(fields, key)).toBe(true);
    expect(fields[key]).toBe('Unknown field');
  });

  it.each([
    ['email', 42],
    ['email', { $ne: '' }],
    ['email', ['jane@example.com']],
    ['password', 12345678],
    ['password', { $gt: '' }],
    ['confirmPassword', 12345678],
    ['firstName', 1],
    ['lastName', null],
    ['firstName', ['Jane']],
  ])('rejects a non-string %s (%j)', (field, value) => {
    const body = { ...guideBody(), [field]: value };
    expect(fieldsOf(RegisterBody, body)).toHaveProperty(field);
  });

  it('rejects a non-object body', () => {
    for (const body of [null, 'string', 42, [], undefined]) {
      expect(RegisterBody.safeParse(body).success).toBe(false);
    }
  });

  it('rejects a password equal to the email (whatever the case and spacing)', () => {
    for (const password of ['jane.doe@example.com', 'Jane.Doe@Example.com', ' JANE.DOE@EXAMPLE.COM ']) {
      const fields = fieldsOf(RegisterBody, { ...guideBody(), password, confirmPassword: password });
      expect(fields.password).toBe('Password must not be your email address');
    }
  });

  it('reports every problem at once', () => {
    const fields = fieldsOf(RegisterBody, { email: 'nope', password: 'short', confirmPassword: 'short', firstName: '', lastName: '', role: 'owner' });
    expect(Object.keys(fields).sort()).toEqual(['acceptedTerms', 'email', 'firstName', 'lastName', 'password', 'role']);
  });
});

describe('CreateTokenBody', () => {
  it('trims the description', () => {
    expect(CreateTokenBody.parse({ description: '  CI deploy key \n' })).toEqual({ description: 'CI deploy key' });
  });

  it.each(['', '    ', '\n\t'])('rejects the empty description %j', (description) => {
    expect(fieldsOf(CreateTokenBody, { description })).toEqual({ description: 'Description is required' });
  });

  it('rejects a missing description', () => {
    expect(fieldsOf(CreateTokenBody, {})).toEqual({ description: 'Description is required' });
  });

  it('accepts 100 characters (after trimming) and rejects 101', () => {
    expect(CreateTokenBody.parse({ description: ` ${'d'.repeat(100)} ` }).description).toHaveLength(100);
    expect(fieldsOf(CreateTokenBody, { description: 'd'.repeat(101) })).toEqual({
      description: 'Description must be at most 100 characters',
    });
  });

  it('rejects unknown keys and non-strings', () => {
    expect(fieldsOf(CreateTokenBody, { description: 'ok', businessId: 'biz_x' })).toEqual({ businessId: 'Unknown field' });
    expect(fieldsOf(CreateTokenBody, { description: 5 })).toHaveProperty('description');
  });
});

describe('LoginBody', () => {
  it('accepts email and password, normalising the email', () => {
    expect(LoginBody.parse({ email: ' Jane@Example.COM ', password: 'whatever' })).toEqual({
      email: 'jane@example.com',
      password: 'whatever',
    });
  });

  it('does not trim or otherwise alter the password', () => {
    expect(LoginBody.parse({ email: 'jane@example.com', password: ' x ' }).password).toBe(' x ');
  });

  it('rejects an empty or missing password', () => {
    expect(fieldsOf(LoginBody, { email: 'jane@example.com', password: '' })).toEqual({ password: 'Password is required' });
    expect(fieldsOf(LoginBody, { email: 'jane@example.com' })).toEqual({ password: 'Password is required' });
  });

  it('rejects a password over 128 characters', () => {
    expect(LoginBody.safeParse({ email: 'jane@example.com', password: 'p'.repeat(128) }).success).toBe(true);
    expect(fieldsOf(LoginBody, { email: 'jane@example.com', password: 'p'.repeat(129) })).toHaveProperty('password');
  });

  it('rejects a bad or missing email', () => {
    expect(fieldsOf(LoginBody, { email: 'jane', password: 'x' })).toEqual({ email: 'Email is not a valid address' });
    expect(fieldsOf(LoginBody, { password: 'x' })).toEqual({ email: 'Email is required' });
  });

  it('rejects unknown keys and operator objects', () => {
    expect(fieldsOf(LoginBody, { email: 'jane@example.com', password: 'x', remember: true })).toEqual({ remember: 'Unknown field' });
    expect(fieldsOf(LoginBody, { email: 'jane@example.com', password: { $ne: null } })).toHaveProperty('password');
  });
});
