import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, unauthorizedEnvelope } from './http-client.js';

/**
 * The README's quickstart as a new user runs it: the embedded default as its own process
 * (what `npm start` execs), with no SMTP_URL, so verification emails land in the outbox
 * folder it prints. The same curl sequence as the README, read off what the process printed.
 */
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const mainJs = join(repoRoot, 'apps/embedded/dist/main.js');

let child: ChildProcess;
let outboxDir: string;
let printed = '';
let edgeUrl: string;
let printedOutbox: string;

function waitForBanner(proc: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms; printed:\n${printed}`)), timeoutMs);
    proc.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      if (/Stop:/.test(printed)) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded exited with ${code}; printed:\n${printed}`));
    });
  });
}

async function mailsTo(address: string): Promise<string[]> {
  const files = await readdir(printedOutbox).catch(() => [] as string[]);
  const mails: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.txt')).sort()) {
    const text = await readFile(join(printedOutbox, file), 'utf8');
    if (text.includes(`\nTo: ${address}\n`)) mails.push(text);
  }
  return mails;
}

async function waitForMail(address: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [mail] = await mailsTo(address);
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${address} in ${printedOutbox}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  outboxDir = await mkdtemp(join(tmpdir(), 'dispatch-outbox-'));
  child = spawn(process.execPath, [mainJs], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', EDGE_PORT: '0', OUTBOX_DIR: outboxDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  await waitForBanner(child, 30_000);
  edgeUrl = /API:\s+(http:\/\/\S+)/.exec(printed)?.[1] ?? '';
  printedOutbox = /emails are written to (\S+)/.exec(printed)?.[1] ?? '';
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(outboxDir, { recursive: true, force: true });
});

describe('the quickstart (npm start): the embedded default as a process, emails in the outbox', () => {
  it('prints the API URL and the outbox folder it writes to', () => {
    expect(edgeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printedOutbox).toBe(outboxDir);
  });

  it('prints the portal URL, which serves the Management Portal with its CSP, and the email links point at it', async () => {
    const portalUrl = /Portal:\s+(http:\/\/\S+)/.exec(printed)?.[1] ?? '';
    expect(portalUrl).toBe(`${edgeUrl}/register`);
    const page = await fetch(portalUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/assets/main.js"></script>');
    expect((await fetch(`${edgeUrl}/assets/main.js`)).status).toBe(200);
    expect((await fetch(`${edgeUrl}/verify`)).status).toBe(200);
  });

  it('runs the README sequence: register → email in the outbox → verify → login → token → Orders → revoke', async () => {
    const api = new Api(edgeUrl);
    const email = 'john@example.com';
    const password = 'password123';
    const register = await api.post('/api/user/register', {
      email,
      password,
      confirmPassword: password,
      firstName: 'John',
      lastName: 'Doe',
      acceptedTerms: true,
    });
    expect(register.status).toBe(202);

    const mail = await waitForMail(email);
    const verificationToken = /[?&#]token=([A-Za-z0-9_\-.%]+)/.exec(mail)?.[1];
    expect(verificationToken, mail).toBeTruthy();
    // The link opens the portal's verify page; the token rides in the fragment (never sent to a server).
    expect(mail).toContain(`${edgeUrl}/verify#token=`);
    // The file holds the token, the log never does.
    expect(printed).not.toContain(decodeURIComponent(verificationToken!));

    const verify = await api.post('/api/user/verify', { token: decodeURIComponent(verificationToken!) });
    expect(verify.status).toBe(200);
    expect(verify.body.success).toBe(true);

    const login = await api.post('/api/user/login', { email, password });
    expect(login.status).toBe(200);
    const session: string = login.body.data.token;

    const created = await api.post('/api/v1/tokens', { description: 'Orders sync' }, { token: session });
    expect(created.status).toBe(201);
    const apiToken: string = created.body.data.token;
    expect(apiToken.startsWith('eyJhbGciOiJIUzI1NiIs')).toBe(true);

    const orders = await api.get('/api/v1/Orders', { token: apiToken });
    expect(orders.status).toBe(200);
    expect(orders.body.success).toBe(true);
    expect(Number(orders.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);

    const revoked = await api.delete(`/api/v1/tokens/${created.body.data.tokenInfo.id}`, { token: session });
    expect(revoked.status).toBe(200);
    const after = await api.get('/api/v1/Orders', { token: apiToken });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(unauthorizedEnvelope);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
