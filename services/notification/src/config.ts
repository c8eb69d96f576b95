import { z } from 'zod';
import { env } from '@dispatch/runtime';
import { DEFAULT_MAIL_FROM } from './mail/mailer.js';

/** A comma-separated list of nats:// (or tls://, ws://, wss://) server URLs. */
const natsServers = () =>
  z.string().refine(
    (v) => v.split(',').every((part) => env.url(['nats', 'tls', 'ws', 'wss']).safeParse(part.trim()).success),
    'must be nats:// URL(s), comma-separated',
  );

export const NotificationEnv = z.object({
  NATS_URL: natsServers(),
  DISPATCH_NAMESPACE: env.namespace(),
  /** smtp:// or smtps:// (credentials URL-encoded). When absent, mails go to OUTBOX_DIR. */
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  OUTBOX_DIR: z.string().min(1).default('./.dispatch/outbox'),
  MAIL_FROM: z.string().min(3).default(DEFAULT_MAIL_FROM),
  PUBLIC_URL: env.url(['http', 'https']).default('http://localhost:8080'),
  NOTIFICATION_MAX_DELIVER: env.int(5),
  LOG_LEVEL: env.logLevel(),
});
export type NotificationEnv = z.output<typeof NotificationEnv>;

/** The service's own variables (and their `_FILE` forms) only; unrelated `*_FILE` variables are ignored. */
export function ownEnv(schema: z.ZodObject, source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const name of Object.keys(schema.shape)) {
    if (source[name] !== undefined) out[name] = source[name];
    if (source[`${name}_FILE`] !== undefined) out[`${name}_FILE`] = source[`${name}_FILE`];
  }
  return out;
}

/** `no-reply@dispatch.localhost` from `Dispatch <no-reply@dispatch.localhost>`; the domain names Message-IDs. */
export function mailDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1] ?? 'dispatch.localhost';
}
