/** One outgoing mail. `messageId` is the RFC 5322 Message-ID (`<…@…>`), derived from the event id. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
}

/** The mail port: SMTP in mesh mode, an outbox folder in embedded mode. */
export interface Mailer {
  /** Sends (or records) one mail; throws when it could not. */
  send(mail: OutgoingMail): Promise<void>;
  close?(): Promise<void> | void;
}

export const DEFAULT_MAIL_FROM = 'Dispatch <no-reply@dispatch.localhost>';
