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
export { SentLog, messageIdFor, createEventMailSender, type SendOutcome } from './use-cases/send-event-mail.js';
export { NotificationEnv, mailDomain } from './config.js';
