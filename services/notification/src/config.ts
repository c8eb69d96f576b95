import { z } from 'zod';
import { env } from '@dispatch/runtime';
import { DEFAULT_MAIL_FROM } from './mail/mailer.js';


export const NotificationEnv = z.object({
  NATS_URL: env.natsServers(),
  DISPATCH_NAMESPACE: env.namespace(),
  /** smtp:// or smtps:// (credentials URL-encoded). When absent, mails go to OUTBOX_DIR. */
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  OUTBOX_DIR: z.string().min(1).default('./.dispatch/outbox'),
  MAIL_FROM: z.string().min(3).default(DEFAULT_MAIL_FROM),
  PUBLIC_URL: env.url(['http', 'https']).default('http://localhost:8080'),
  NOTIFICATION_MAX_DELIVER: env.int(5),
  /** Attempts to deliver one alert to a webhook (exponential backoff 0.25 s, 0.5 s, 1 s … capped at 30 s) before it is parked. */
  NOTIFICATION_WEBHOOK_MAX_DELIVER: env.int(8),
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: env.int(10_000),
  /** `true` lets webhooks target private, loopback and link-local addresses (tests, private networks). */
  NOTIFICATION_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /** How long delivery claims, webhooks and parked records are kept in the KV bucket (default 30 days). */
  NOTIFICATION_STORE_TTL_HOURS: env.int(720),
  LOG_LEVEL: env.logLevel(),
  OPS_PORT: env.opsPort(),
});
export type NotificationEnv = z.output<typeof NotificationEnv>;


/** `no-reply@dispatch.localhost` from `Dispatch <no-reply@dispatch.localhost>`; the domain names Message-IDs. */
export function mailDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1] ?? 'dispatch.localhost';
}
