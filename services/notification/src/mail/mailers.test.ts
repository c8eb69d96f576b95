import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dispatch/runtime';
import { SmtpSink } from '@dispatch/testkit';
import { OutboxMailer } from './outbox-mailer.js';
import { SmtpMailer } from './smtp-mailer.js';

const secret = 'vt_SECRET_token_value_123';

describe('OutboxMailer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dispatch-outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a readable .txt (headers + body) and logs only the path', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
    const outbox = join(dir, 'nested', 'outbox');
    const mailer = new OutboxMailer({ dir: outbox, from: 'Dispatch <no-reply@dispatch.localhost>', logger });
    await mailer.send({
      to: 'ada@example.com',
      subject: 'Verify your Dispatch account',
      text: `Hi Ada,\n\n${secret}\n`,
      html: `<p>${secret}</p>`,
      messageId: '<evt_01@dispatch.localhost>',
    });
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    const file = files[0] ?? '';
    expect(file).toMatch(/^\d{4}-.*evt_01@dispatch\.localhost\.txt$/);
    const content = await readFile(join(outbox, file), 'utf8');
    expect(content).toMatch(/^From: Dispatch <no-reply@dispatch\.localhost>\n/);
    expect(content).toContain('\nTo: ada@example.com\n');
    expect(content).toContain('\nSubject: Verify your Dispatch account\n');
    expect(content).toContain('\nMessage-ID: <evt_01@dispatch.localhost>\n');
    expect(content).toContain(`\n\nHi Ada,\n\n${secret}\n`);

    const logged = lines.join('');
    expect(logged).toContain(join(outbox, file));
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('ada@example.com');
  });
});

describe('SmtpMailer', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => {
    await sink?.stop();
  });

  it('delivers over SMTP with the given Message-ID, text and html', async () => {
    const mailer = new SmtpMailer({ url: sink.url, from: 'Dispatch <no-reply@dispatch.localhost>' });
    await mailer.verify();
    await mailer.send({
      to: 'grace@example.com',
      subject: 'Hello',
      text: 'plain body',
      html: '<p>html body</p>',
      messageId: '<evt_02@dispatch.localhost>',
    });
    const mail = await sink.waitFor('grace@example.com');
    expect(mail.subject).toBe('Hello');
    expect(mail.text.trim()).toBe('plain body');
    expect(mail.html).toContain('html body');
    expect(mail.from).toBe('no-reply@dispatch.localhost');
    expect(mail.headers['message-id']).toBe('<evt_02@dispatch.localhost>');
    mailer.close();
  });

  it('throws when the server is unreachable', async () => {
    const mailer = new SmtpMailer({ url: 'smtp://127.0.0.1:1', from: 'x@example.com' });
    await expect(
      mailer.send({ to: 'a@example.com', subject: 's', text: 't', messageId: '<evt_03@x>' }),
    ).rejects.toThrow();
    mailer.close();
  });
});
