export {
  createNotificationService,
  type NotificationConfig,
  type NotificationService,
  type NotificationServiceDeps,
} from './service.js';
export { DEFAULT_MAIL_FROM, type Mailer, type OutgoingMail } from './mail/mailer.js';
export { SmtpMailer, type SmtpMailerOptions } from './mail/smtp-mailer.js';
export { OutboxMailer, type OutboxMailerOptions } from './mail/outbox-mailer.js';
export { renderEventMail, mailedEventTypes, tokenLink, type RenderedMail, type TemplateContext } from './templates/index.js';
export { messageIdFor, createEventMailSender, DeliveryBusyError, type SendOutcome } from './use-cases/send-event-mail.js';
export { DeliveryLog, type Channel, type ClaimResult } from './delivery/delivery-log.js';
export { ParkedLog } from './delivery/parked-log.js';
export type { KvStore, KvEntry } from './store/kv-store.js';
export { MemoryKvStore } from './store/memory-kv-store.js';
export { JetStreamKvStore, notificationBucketName, webhookBucketName } from './store/jetstream-kv-store.js';
export { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader, verifySignature } from './webhooks/signature.js';
export { NotificationEnv, mailDomain } from './config.js';
