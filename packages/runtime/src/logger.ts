import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that are never written to a log line. Covers request bodies, headers and
 * the fields our own code might log by mistake.
 */
export const redactPaths = [
  'password',
  'confirmPassword',
  'token',
  'secret',
  'authorization',
  'passwordHash',
  'tokenHash',
  'verificationToken',
  'inviteToken',
  'resetToken',
  'currentPassword',
  'newPassword',
  '*.password',
  '*.confirmPassword',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.passwordHash',
  '*.tokenHash',
  '*.verificationToken',
  '*.inviteToken',
  '*.resetToken',
  '*.currentPassword',
  '*.newPassword',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.data.verificationToken',
  '*.data.inviteToken',
  '*.data.resetToken',
];

export interface LoggerConfig {
  service: string;
  version?: string;
  level?: string;
  destination?: DestinationStream;
}

/** The one logger factory: `service` and `version` on every line, secrets redacted. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service: config.service, version: config.version ?? '0.1.0' },
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
