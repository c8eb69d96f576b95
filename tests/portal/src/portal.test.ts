import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { curl, launchBrowser, linkFrom, shot, startPortal, waitForMail, type Portal } from './harness.js';

const password = 'correct-horse-9';
const owner = { first: 'Ada', last: 'Lovelace', email: `ada.${process.pid}@example.com` };

let portal: Portal;
let browser: Browser;
/** Every URL the browsers requested: no secret may appear in one. */
const requested: string[] = [];
/** Console errors and CSP violations: there must be none. */
const consoleErrors: string[] = [];
/** Secrets seen during the run (verification/invite tokens, session and API tokens). */
const secrets: string[] = [];

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: portal.base });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.base });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on('request', (req) => requested.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  return { context, page };
}

async function logIn(page: Page, email: string, pw = password): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const sessionToken = (page: Page): Promise<string> =>
  page.evaluate(() => (JSON.parse(sessionStorage.getItem('dispatch.session') ?? '{}') as { token?: string }).token ?? '');

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe('Management Portal in the browser (embedded default, Debian chromium)', () => {
  it('serves the pages with a strict CSP and no cookies', async () => {
    const res = await fetch(`${portal.base}/settings/api-access`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
  });

  it('sign-up → email → verify → log in → generate token → it works → revoke → it fails', async () => {
    const { context, page } = await newPage();
    await page.goto('/register');
    await page.getByLabel('First name').fill(owner.first);
    await page.getByLabel('Last name').fill(owner.last);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByLabel('I accept the terms of service').check();
    await shot(page, '01-register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
    await expect.poll(() => page.textContent('main')).toContain(owner.email);
    await shot(page, '02-check-email');

    // The email, where the quickstart puts it; the link carries the token in the fragment.
    const mail = await waitForMail(portal.outbox, owner.email, /verify/i);
    const link = linkFrom(mail, '/verify');
    expect(link.startsWith(`${portal.base}/verify#token=`)).toBe(true);
    secrets.push(decodeURIComponent(link.split('#token=')[1] ?? ''));
    await page.goto(link);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in to the Dispatch Management Portal');
    await expect.poll(() => page.textContent('main')).toContain(`${owner.email} is verified`);
    expect(page.url()).toBe(`${portal.base}/login`);
    await shot(page, '03-verified-login');

    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API Access');
    await expect.poll(() => page.textContent('main')).toContain('No API tokens yet');
    secrets.push(await sessionToken(page));
    expect(await context.cookies()).toEqual([]);

    // Generate New Token → description → the token once, with a copy button and the warning; by keyboard only.
    const generate = page.getByRole('button', { name: 'Generate New Token' });
    await generate.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Generate New Token' });
    await expect.poll(() => dialog.getByLabel('Description').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Orders sync');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.textContent()).toContain("You won't see it again");
    const tokenField = dialog.getByLabel('API token for "Orders sync"');
    const token = await tokenField.inputValue();
    expect(token.split('.')).toHaveLength(3);
    secrets.push(token);
    // Focus is on Copy: Enter copies; Escape closes and gives focus back to the button that opened it.
    expect(await dialog.getByRole('button', { name: 'Copy token' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.textContent()).toContain('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await shot(page, '04-token-shown-once');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await generate.evaluate((el) => el === document.activeElement)).toBe(true);
    const row = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Orders sync' }) });
    await expect.poll(() => row.getAttribute('data-status')).toBe('active');
    expect(await page.content()).not.toContain(token);

    // The guide's example, as curl sends it.
    const works = await curl(`${portal.base}/api/v1/Orders`, token);
    expect(works.status).toBe(200);

    // Revoke asks first, then the row says so.
    await row.getByRole('button', { name: 'Revoke Orders sync' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke "Orders sync"?' });
    await expect.poll(() => confirm.textContent()).toContain('401 Unauthorized');
    await shot(page, '06-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('revoked');
    await expect.poll(() => row.textContent()).toContain('Revoked');
    await shot(page, '07-api-access-revoked');

    const fails = await curl(`${portal.base}/api/v1/Orders`, token);
    expect(fails.status).toBe(401);
    expect(fails.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });

    // Usage: a small chart and its table (the edge publishes counts every 5 s: refresh until they are in).
    await row.getByRole('button', { name: 'Usage of Orders sync' }).click();
    const usage = page.getByRole('dialog', { name: 'Usage of "Orders sync"' });
    await expect
      .poll(
        async () => {
          await usage.getByRole('button', { name: 'Refresh' }).click();
          return usage.textContent();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toMatch(/2 calls in the last 24 hours/);
    expect(await usage.locator('figure svg[role="img"]').count()).toBe(1);
    expect(await usage.getByRole('table').textContent()).toContain('/api/v1/Orders');
    await shot(page, '05-usage');
    await usage.getByRole('button', { name: 'Close dialog' }).click();

    // The audit log shows both.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.textContent('main')).toContain('Token revoked');
    expect(await page.textContent('main')).toContain('Token generated');
    await shot(page, '08-audit');

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.textContent('main')).toContain('You are logged out.');
    expect(await page.evaluate(() => sessionStorage.getItem('dispatch.session'))).toBeNull();
    await context.close();
  });

  it('rotate: a new token shown once replaces the old one, which stops at once with no grace period', async () => {
    const { context, page } = await newPage();
    await logIn(page, owner.email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API Access');
    await page.getByRole('button', { name: 'Generate New Token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate New Token' });
    await dialog.getByLabel('Description').fill('Echo job');
    await dialog.getByRole('button', { name: 'Generate token' }).click();
    const oldToken = await dialog.getByLabel('API token for "Echo job"').inputValue();
    secrets.push(oldToken);
    await dialog.getByRole('button', { name: "I've copied it" }).click();
    const active = page.locator('tr[data-status="active"]', { has: page.getByRole('rowheader', { name: 'Echo job' }) });
    await active.getByRole('button', { name: 'Rotate Echo job' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate "Echo job"' });
    await rotate.getByLabel('Keep the old token working for').selectOption('0');
    await rotate.getByRole('button', { name: 'Rotate token' }).click();
    await expect.poll(() => rotate.textContent()).toContain("You won't see it again");
    const newToken = await rotate.getByLabel('API token for "Echo job"').inputValue();
    secrets.push(newToken);
    expect(newToken).not.toBe(oldToken);
    await rotate.getByRole('button', { name: "I've copied it" }).click();
    const rows = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Echo job' }) });
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).sort()).toEqual(['active', 'revoked']);
    expect((await curl(`${portal.base}/api/v1/Echo`, newToken)).status).not.toBe(401);
    expect((await curl(`${portal.base}/api/v1/Echo`, oldToken)).status).toBe(401);
    await context.close();
  });

  it('401: a session ended elsewhere sends the user to log in', async () => {
    const { context, page } = await newPage();
    await logIn(page, owner.email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API Access');
    const session = await sessionToken(page);
    secrets.push(session);
    const loggedOut = await fetch(`${portal.base}/api/user/logout`, { method: 'POST', headers: { authorization: `Bearer ${session}` } });
    expect(loggedOut.status).toBe(200);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in to the Dispatch Management Portal');
    expect(await page.textContent('main')).toContain('Your session has ended');
    expect(page.url()).toBe(`${portal.base}/login`);
    await shot(page, '09-session-ended');
    // Logging in again returns to where the user was going.
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
    await context.close();
  });

  it('403: a viewer (invited through Members) is told API Access needs another role', async () => {
    const viewer = `viewer.${process.pid}@example.com`;
    const { context, page } = await newPage();
    await logIn(page, owner.email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('API Access');
    await page.getByRole('link', { name: 'Members' }).click();
    await expect.poll(() => page.textContent('main')).toContain('You are owner');
    await page.getByLabel('Email').fill(viewer);
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.textContent('main')).toContain(`Invitation sent to ${viewer}`);
    await shot(page, '10-members');
    await context.close();

    const mail = await waitForMail(portal.outbox, viewer, /invited/i);
    const link = linkFrom(mail, '/invite');
    secrets.push(decodeURIComponent(link.split('#token=')[1] ?? ''));
    const invitee = await newPage();
    await invitee.page.goto(link);
    expect(invitee.page.url()).toBe(`${portal.base}/invite`);
    await invitee.page.getByLabel('First name').fill('Vera');
    await invitee.page.getByLabel('Last name').fill('Viewer');
    await invitee.page.getByLabel('Password', { exact: true }).fill(password);
    await invitee.page.getByLabel('Confirm password').fill(password);
    await invitee.page.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => invitee.page.textContent('main')).toContain('joined as viewer');
    await invitee.page.getByLabel('Email').fill(viewer);
    await invitee.page.getByLabel('Password').fill(password);
    await invitee.page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => invitee.page.getByRole('heading', { level: 1 }).textContent()).toBe('API Access');
    const alert = invitee.page.locator('[role="alert"][data-status="403"]');
    await expect.poll(() => alert.textContent()).toContain('You do not have access');
    expect(await alert.textContent()).toContain('Your role (viewer) does not allow this action');
    expect(await alert.textContent()).toContain('Ask an owner or admin');
    expect(await invitee.page.getByRole('button', { name: 'Generate New Token' }).isDisabled()).toBe(true);
    await shot(invitee.page, '11-forbidden-viewer');
    await invitee.context.close();
  });

  it('429: repeated failed logins show when to retry and hold the button', async () => {
    const { context, page } = await newPage();
    await page.goto('/login');
    const email = `nobody.${process.pid}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong-password-1');
    const submit = page.getByRole('button', { name: 'Log in' });
    const alert = page.locator('form [role="alert"]');
    let limited = false;
    // LOGIN_MAX_FAILURES=2: the third attempt is refused (a few more allowed if a window boundary passes).
    for (let i = 0; i < 8 && !limited; i++) {
      await expect.poll(() => submit.isEnabled()).toBe(true);
      await submit.click();
      await expect.poll(() => alert.getAttribute('data-status')).toMatch(/^(401|429)$/);
      limited = (await alert.getAttribute('data-status')) === '429';
      if (!limited) expect(await alert.textContent()).toContain('Invalid email or password');
    }
    expect(limited).toBe(true);
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/Too many attempts: Try again in \d+ (second|minute)s? \(at .+\)\./);
    expect(await submit.isDisabled()).toBe(true);
    await shot(page, '12-rate-limited');
    await context.close();
  });

  it('validation errors from the API show next to their fields', async () => {
    const { context, page } = await newPage();
    await page.goto('/register');
    await page.getByLabel('First name').fill('Val');
    await page.getByLabel('Last name').fill('Idation');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('different');
    await page.getByRole('button', { name: 'Create account' }).click();
    const passwordField = page.getByLabel('Password', { exact: true });
    await expect.poll(() => passwordField.getAttribute('aria-invalid')).toBe('true');
    const passwordError = page.locator('[data-field="password"] .field-error');
    expect(await passwordError.textContent()).toMatch(/^Error: .*8/);
    // The message is tied to its field for screen readers.
    const describedBy = (await passwordField.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain((await passwordError.getAttribute('id')) ?? 'missing');
    expect(await page.locator('[data-field="email"] .field-error').isVisible()).toBe(true);
    expect(await page.locator('[data-field="acceptedTerms"] .field-error').textContent()).toContain('accept the terms');
    expect(await page.locator('[data-field="firstName"] .field-error').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await shot(page, '13-validation');
    await context.close();
  });

  it('no secret ever appeared in a requested URL, and the pages logged no error or CSP violation', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      for (const url of requested) expect(url).not.toContain(secret);
    }
    expect(consoleErrors).toEqual([]);
  });
});
