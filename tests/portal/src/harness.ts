import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedEnv, startEmbedded, type Embedded } from '@dispatch/embedded';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (scripts/install-test-deps.sh installs it); override with CHROMIUM_BIN. */
export const chromiumPath = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';

export const screenshotsDir = new URL('../screenshots/', import.meta.url).pathname;

export interface Portal {
  app: Embedded;
  base: string;
  outbox: string;
  stop(): Promise<void>;
}

/**
 * The quickstart's embedded default, in this process, on a free port: emails go to a fresh outbox
 * folder; login throttling after 2 failures so a 429 comes quickly.
 */
export async function startPortal(): Promise<Portal> {
  const outbox = await mkdtemp(join(tmpdir(), 'portal-outbox-'));
  const app = await startEmbedded(
    EmbeddedEnv.parse({
      EDGE_PORT: '0',
      OUTBOX_DIR: outbox,
      LOG_LEVEL: 'silent',
      DISPATCH_NAMESPACE: `portal${process.pid}`,
      PASSWORD_SCRYPT_N: '1024',
      LOGIN_MAX_FAILURES: '2',
    }),
  );
  return {
    app,
    base: app.edgeUrl,
    outbox,
    stop: async () => {
      await app.stop();
      await rm(outbox, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: run scripts/install-test-deps.sh (installs Debian's chromium)`);
  await mkdir(screenshotsDir, { recursive: true });
  // launch() gives every run a fresh temporary profile (user-data-dir) and removes it on close.
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The body of the newest outbox mail to `to` whose subject matches, waiting for it up to a deadline. */
export async function waitForMail(outbox: string, to: string, subject: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = existsSync(outbox) ? (await readdir(outbox)).filter((n) => n.endsWith('.txt')).sort().reverse() : [];
    for (const name of names) {
      const text = await readFile(join(outbox, name), 'utf8');
      const [headers = '', ...body] = text.split('\n\n');
      const toLine = /^To: (.*)$/m.exec(headers)?.[1] ?? '';
      const subjectLine = /^Subject: (.*)$/m.exec(headers)?.[1] ?? '';
      if (toLine.toLowerCase().includes(to.toLowerCase()) && subject.test(subjectLine)) return body.join('\n\n');
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${String(subject)} in ${outbox}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first portal link of a mail (e.g. `http://127.0.0.1:1234/verify#token=…`). */
export function linkFrom(mail: string, path: string): string {
  const match = new RegExp(`https?://\\S+${path}#token=\\S+`).exec(mail);
  if (!match) throw new Error(`no ${path}#token= link in mail`);
  return match[0];
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** A curl-equivalent request: plain fetch with the headers the guide shows. */
export async function curl(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  return { status: res.status, body: await res.json().catch(() => null) };
}
