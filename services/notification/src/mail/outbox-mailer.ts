import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@dispatch/runtime';
import type { Mailer, OutgoingMail } from './mailer.js';

export interface OutboxMailerOptions {
  /** Folder the mails are written to (created when missing). */
  dir: string;
  from: string;
  logger: Logger;
  /** Clock (tests). */
  now?: () => Date;
}

/** Keeps a header value on one line. */
const oneLine = (value: string): string => value.replace(/[\r\n]+/g, ' ');

/** A file-name-safe form of the Message-ID. */
const fileSafe = (value: string): string => value.replace(/[<>]/g, '').replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 120);

/**
 * Embedded mode: every mail becomes a readable `.txt` file (headers, blank line, body) in the
 * outbox folder. The mail holds tokens, so only the file's path is logged, never the body.
 */
export class OutboxMailer implements Mailer {
  readonly dir: string;
  private readonly from: string;
  private readonly logger: Logger;
  private readonly now: () => Date;

  constructor(options: OutboxMailerOptions) {
    this.dir = resolve(options.dir);
    this.from = options.from;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
  }

  async send(mail: OutgoingMail): Promise<void> {
    const date = this.now();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = date.toISOString().replace(/[:.]/g, '-');
    const path = join(this.dir, `${stamp}-${fileSafe(mail.messageId)}.txt`);
    const content =
      [
        `From: ${oneLine(this.from)}`,
        `To: ${oneLine(mail.to)}`,
        `Subject: ${oneLine(mail.subject)}`,
        `Date: ${date.toUTCString()}`,
        `Message-ID: ${oneLine(mail.messageId)}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        mail.text.replace(/\r\n/g, '\n'),
      ].join('\n') + (mail.text.endsWith('\n') ? '' : '\n');
    // Write then rename, so a reader never sees half a mail.
    const tmp = `${path}.tmp`;
    await writeFile(tmp, content, { encoding: 'utf8', mode: 0o600 });
    await rename(tmp, path);
    this.logger.info({ path }, 'mail written to outbox');
  }
}
