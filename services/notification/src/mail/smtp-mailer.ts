import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, OutgoingMail } from './mailer.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465` (credentials URL-encoded). */
  url: string;
  from: string;
  /** Upper bound of one SMTP exchange; keep it below the consumer's ack-wait (30 s). */
  timeoutMs?: number;
}

/** Sends through an SMTP server with nodemailer. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(options: SmtpMailerOptions) {
    this.from = options.from;
    const timeout = options.timeoutMs ?? 15_000;
    // The URL carries host, port, TLS (smtps://) and credentials; nodemailer's own defaults
    // (minutes) would outlive a JetStream ack-wait, so cap every phase.
    this.transport = nodemailer.createTransport({
      url: options.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html !== undefined ? { html: mail.html } : {}),
      messageId: mail.messageId,
    });
  }

  /** Checks the server accepts connections (and credentials). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}
