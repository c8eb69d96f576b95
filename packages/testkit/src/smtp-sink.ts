import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freePort } from './ports.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** A real SMTP server that keeps every message it receives, for tests to read back. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SmtpSink> {
    const port = await freePort();
    let sink: SmtpSink | undefined;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of parsed.headers) headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
            sink?.receive({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers,
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    sink = new SmtpSink(server, port);
    return sink;
  }

  private receive(mail: ReceivedMail): void {
    this.messages.push(mail);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Mails sent to `address` so far. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** Waits for a mail to `address` matching `predicate`. */
  async waitFor(address: string, predicate: (m: ReceivedMail) => boolean = () => true, timeoutMs = 15_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.to(address).find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail to ${address} within ${timeoutMs} ms (got ${this.messages.length} mails in all)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Pulls the first `token=<value>` out of a mail body (verification and invite links). */
export function tokenFromMail(mail: ReceivedMail, param = 'token'): string {
  const match = new RegExp(`[?&#]${param}=([A-Za-z0-9_\\-.%]+)`).exec(mail.text);
  if (!match?.[1]) throw new Error(`no ${param}= link in mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
