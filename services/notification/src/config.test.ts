import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@dispatch/runtime';
import { NotificationEnv, mailDomain } from './config.js';

describe('notification config', () => {
  it('applies defaults', () => {
    const env = loadConfig('notification', NotificationEnv, { NATS_URL: 'nats://127.0.0.1:4222' });
    expect(env).toMatchObject({
      DISPATCH_NAMESPACE: 'dispatch',
      OUTBOX_DIR: './.dispatch/outbox',
      MAIL_FROM: 'Dispatch <no-reply@dispatch.localhost>',
      PUBLIC_URL: 'http://localhost:8080',
      NOTIFICATION_MAX_DELIVER: 5,
      LOG_LEVEL: 'info',
    });
    expect(env.SMTP_URL).toBeUndefined();
  });

  it('requires NATS_URL and checks SMTP_URL; ignores unrelated *_FILE variables', () => {
    expect(() =>
      loadConfig('notification', NotificationEnv, { SMTP_URL: 'http://x', OTHER_FILE: '/nonexistent' }),
    ).toThrow(ConfigError);
    const env = loadConfig(
      'notification',
      NotificationEnv,
      { NATS_URL: 'nats://a:4222,nats://b:4222', SMTP_URL: 'smtps://u:p@mail:465', OTHER_FILE: '/nonexistent' },
    );
    expect(env.SMTP_URL).toBe('smtps://u:p@mail:465');
  });

  it('mailDomain reads the domain of MAIL_FROM', () => {
    expect(mailDomain('Dispatch <no-reply@dispatch.localhost>')).toBe('dispatch.localhost');
    expect(mailDomain('ops@example.com')).toBe('example.com');
    expect(mailDomain('nonsense')).toBe('dispatch.localhost');
  });
});
