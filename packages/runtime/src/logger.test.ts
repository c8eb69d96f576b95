import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactPaths } from './logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'svc', level: 'info', destination }) };
}

describe('logger redaction', () => {
  it('never writes passwords, tokens or hashes, wherever they sit in the object', () => {
    const { lines, logger } = capture();
    const secrets = {
      password: 'hunter2-password',
      confirmPassword: 'hunter2-confirm',
      token: 'eyJhbGciOiJIUzI1NiIs.secret.token',
      passwordHash: 'scrypt$16384$8$1$salt$hash',
      tokenHash: 'deadbeefcafebabe',
      verificationToken: 'verify-me-secret',
      inviteToken: 'invite-secret',
      authorization: 'Bearer eyJ.also.secret',
    };
    logger.info(secrets, 'top level');
    logger.info({ body: secrets }, 'nested');
    logger.info({ req: { headers: { authorization: 'Bearer nested-header-secret', cookie: 'sid=cookie-secret' } } }, 'request');
    logger.info({ event: { data: { verificationToken: 'event-secret', inviteToken: 'event-invite-secret' } } }, 'event');
    const out = lines.join('\n');
    for (const value of [...Object.values(secrets), 'nested-header-secret', 'cookie-secret', 'event-secret', 'event-invite-secret']) {
      expect(out).not.toContain(value);
    }
    expect(out).toContain('[REDACTED]');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ service: 'svc', password: '[REDACTED]' });
  });
});

/** A logger writing into memory: one parsed object per line. */
function memoryLogger(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test-svc', level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const secretFields = [
  'password',
  'confirmPassword',
  'currentPassword',
  'newPassword',
  'token',
  'secret',
  'authorization',
  'passwordHash',
  'tokenHash',
  'verificationToken',
  'inviteToken',
  'resetToken',
] as const;

/** A distinct, recognisable value per field. */
const secretOf = (field: string) => `SECRET-${field}-${field.length * 7919}`;
const secrets = () => Object.fromEntries(secretFields.map((f) => [f, secretOf(f)]));

describe('logger redaction, field by field (password flows)', () => {
  it.each(secretFields)('redacts a top-level %s', (field) => {
    const { logger, lines, records } = memoryLogger();
    logger.info({ [field]: secretOf(field), userId: 'usr_1' }, 'msg');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secretOf(field));
    expect(records()[0]).toMatchObject({ [field]: '[REDACTED]', userId: 'usr_1', msg: 'msg', service: 'test-svc' });
  });

  it('redacts every secret field one level down (e.g. a logged body or request)', () => {
    const { logger, lines, records } = memoryLogger();
    logger.warn({ body: secrets(), req: secrets(), email: 'ada@example.com' }, 'bad request');
    const line = lines[0] ?? '';
    for (const field of secretFields) expect(line).not.toContain(secretOf(field));
    const record = records()[0] ?? {};
    const redactedAll = Object.fromEntries(secretFields.map((f) => [f, '[REDACTED]']));
    expect(record['body']).toEqual(redactedAll);
    expect(record['req']).toEqual(redactedAll);
    expect(record['email']).toBe('ada@example.com');
  });

  it('redacts authorization and cookie headers', () => {
    const { logger, lines, records } = memoryLogger();
    logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s3cr3t', accept: 'json' } } }, 'r');
    logger.info({ headers: { authorization: 'Bearer jkl.mno.pqr', cookie: 'sid=t0p' } }, 'r');
    const text = lines.join('');
    for (const s of ['abc.def.ghi', 's3cr3t', 'jkl.mno.pqr', 't0p']) expect(text).not.toContain(s);
    const [first, second] = records();
    expect(first?.['req']).toEqual({ headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'json' } });
    expect(second?.['headers']).toEqual({ authorization: '[REDACTED]', cookie: '[REDACTED]' });
  });

  it('redacts the tokens inside a logged domain event', () => {
    const { logger, lines, records } = memoryLogger();
    const data = { userId: 'usr_1', verificationToken: 'vt-raw', inviteToken: 'it-raw', resetToken: 'rt-raw' };
    logger.error({ event: { type: 'user.password_reset_requested', data } }, 'parked');
    expect(lines[0]).not.toMatch(/vt-raw|it-raw|rt-raw/);
    expect(records()[0]?.['event']).toEqual({
      type: 'user.password_reset_requested',
      data: { userId: 'usr_1', verificationToken: '[REDACTED]', inviteToken: '[REDACTED]', resetToken: '[REDACTED]' },
    });
  });

  it('redacts in child loggers too', () => {
    const { logger, lines } = memoryLogger('debug');
    logger.child({ requestId: 'req_1' }).debug({ newPassword: 'hunter22-new', currentPassword: 'hunter22-old' }, 'change');
    expect(lines[0]).toContain('req_1');
    expect(lines[0]).not.toMatch(/hunter22/);
  });

  it('covers the password-flow fields in its path list', () => {
    for (const field of ['currentPassword', 'newPassword', 'resetToken']) {
      expect(redactPaths).toContain(field);
      expect(redactPaths).toContain(`*.${field}`);
    }
    expect(redactPaths).toContain('*.data.resetToken');
  });
});
