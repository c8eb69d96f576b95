import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  DispatchError,
  ErrorCode,
  ErrorEnvelope,
  INVALID_TOKEN_MESSAGE,
  WireError,
  errorStatus,
  errors,
  isDispatchError,
  validationDetails,
} from './index.js';

describe('errorStatus', () => {
  it('maps exactly the ErrorCode values, no more, no fewer', () => {
    expect(Object.keys(errorStatus).sort()).toEqual([...ErrorCode.options].sort());
  });

  it.each(ErrorCode.options)('%s maps to an HTTP error status', (code) => {
    const status = errorStatus[code];
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
    expect(new DispatchError(code, 'x').status).toBe(status);
  });

  it('uses the expected statuses for the common codes', () => {
    expect(errorStatus).toMatchObject({
      VALIDATION_ERROR: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      RATE_LIMITED: 429,
      INTERNAL_ERROR: 500,
      SERVICE_UNAVAILABLE: 503,
    });
  });
});

describe('DispatchError', () => {
  it('is an Error with code, details, status and retryable', () => {
    const err = new DispatchError('NOT_FOUND', 'User not found', { id: 'usr_x' });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DispatchError');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('User not found');
    expect(err.details).toEqual({ id: 'usr_x' });
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(isDispatchError(err)).toBe(true);
    expect(isDispatchError(new Error('x'))).toBe(false);
    expect(isDispatchError({ code: 'NOT_FOUND', message: 'x' })).toBe(false);
  });

  it('marks only transient codes retryable', () => {
    const retryable = ErrorCode.options.filter((c) => new DispatchError(c, 'x').retryable).sort();
    expect(retryable).toEqual(['RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'UPSTREAM_ERROR']);
  });

  it.each(ErrorCode.options)('round-trips %s through toWire/fromWire (and JSON)', (code) => {
    const original = new DispatchError(code, `message for ${code}`, { reason: 'because', nested: { n: 1 } });
    const wire = original.toWire();
    expect(WireError.parse(wire)).toEqual(wire);
    const back = DispatchError.fromWire(WireError.parse(JSON.parse(JSON.stringify(wire))));
    expect(back).toBeInstanceOf(DispatchError);
    expect(back.code).toBe(code);
    expect(back.message).toBe(original.message);
    expect(back.details).toEqual(original.details);
    expect(back.retryable).toBe(original.retryable);
    expect(back.status).toBe(original.status);
  });

  it('omits details from the wire when there are none', () => {
    const wire = new DispatchError('CONFLICT', 'Taken').toWire();
    expect(wire).toEqual({ code: 'CONFLICT', message: 'Taken', retryable: false });
    expect('details' in wire).toBe(false);
    expect(DispatchError.fromWire(wire).details).toBeUndefined();
  });

  it('never puts a stack on the wire', () => {
    const wire = new DispatchError('INTERNAL_ERROR', 'Internal server error').toWire();
    expect(JSON.stringify(wire)).not.toMatch(/\bat .*:\d+/);
    expect(Object.keys(wire).sort()).toEqual(['code', 'message', 'retryable']);
  });

  it('WireError rejects unknown codes', () => {
    expect(WireError.safeParse({ code: 'TEAPOT', message: 'x' }).success).toBe(false);
  });

  it('helper factories build the right codes', () => {
    expect(errors.unauthorized().code).toBe('UNAUTHORIZED');
    expect(errors.unauthorized().message).toBe(INVALID_TOKEN_MESSAGE);
    expect(errors.forbidden('No', 'insufficient_role').details).toEqual({ reason: 'insufficient_role' });
    expect(errors.notFound('User').message).toBe('User not found');
    expect(errors.validation('Bad', { fields: {} }).status).toBe(400);
    expect(errors.unavailable().retryable).toBe(true);
    expect(errors.internal().status).toBe(500);
  });

  it('ErrorEnvelope accepts the public shape', () => {
    const wire = errors.notFound('Token').toWire();
    expect(ErrorEnvelope.safeParse({ success: false, error: { code: wire.code, message: wire.message } }).success).toBe(true);
    expect(ErrorEnvelope.safeParse({ success: true, error: { code: wire.code, message: wire.message } }).success).toBe(false);
  });
});

describe('validationDetails', () => {
  const issuesOf = (schema: z.ZodType, input: unknown) => {
    const result = schema.safeParse(input);
    if (result.success) throw new Error('expected a failure');
    return result.error.issues;
  };

  it('returns { fields } with one message per path', () => {
    const schema = z.strictObject({ a: z.string().min(3, 'too short').regex(/x/, 'needs x'), b: z.number() });
    const details = validationDetails(issuesOf(schema, { a: 'y', b: 'no' }));
    expect(details).toEqual({ fields: { a: 'too short', b: expect.any(String) } });
  });

  it('joins nested paths with dots and array indexes as numbers', () => {
    const schema = z.object({ user: z.object({ emails: z.array(z.email('bad email')) }) });
    expect(validationDetails(issuesOf(schema, { user: { emails: ['ok@example.com', 'nope'] } }))).toEqual({
      fields: { 'user.emails.1': 'bad email' },
    });
  });

  it('reports root-level problems as (body)', () => {
    expect(validationDetails(issuesOf(z.object({ a: z.string() }), 'not an object'))).toEqual({
      fields: { '(body)': expect.any(String) },
    });
  });

  it('names each unknown key, also inside nested objects', () => {
    const schema = z.strictObject({ a: z.string(), inner: z.strictObject({ b: z.string() }) });
    expect(validationDetails(issuesOf(schema, { a: 'x', x: 1, y: 2, inner: { b: 'b', z: 3 } }))).toEqual({
      fields: { x: 'Unknown field', y: 'Unknown field', 'inner.z': 'Unknown field' },
    });
  });

  it('is JSON-serialisable and valid ErrorDetails', () => {
    const details = validationDetails(issuesOf(z.object({ a: z.string() }), {}));
    expect(JSON.parse(JSON.stringify(details))).toEqual(details);
    expect(WireError.safeParse({ code: 'VALIDATION_ERROR', message: 'x', details }).success).toBe(true);
  });

  it('returns empty fields for no issues', () => {
    expect(validationDetails([])).toEqual({ fields: {} });
  });
});
