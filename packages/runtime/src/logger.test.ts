import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

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
