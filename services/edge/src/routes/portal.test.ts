import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import { portalPages } from '@dispatch/portal';
import { createLogger } from '@dispatch/runtime';
import { startEdgeServer, type EdgeServer } from '../server.js';
import { PORTAL_CSP } from './portal.js';

const logger = createLogger({ service: 'edge-portal-test', level: 'silent' });
const start = (portalDir?: string | null) =>
  startEdgeServer(
    {
      bus: new MemoryBus(new MemoryHub(), 'portaltest', logger),
      logger,
      config: {
        upstreamUrl: 'http://127.0.0.1:9',
        rateLimit: { limit: 10, windowSeconds: 60, failurePolicy: 'open' },
        bodyLimitBytes: 1024,
        busTimeoutMs: 500,
        upstreamTimeoutMs: 1000,
        ...(portalDir !== undefined ? { portalDir } : {}),
      },
    },
    0,
  );

let dir: string;
let fixture: EdgeServer;
let bundled: EdgeServer;
let apiOnly: EdgeServer;
let unbuilt: EdgeServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portal-fixture-'));
  await mkdir(join(dir, 'assets', 'pages'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>fixture</title>');
  await writeFile(join(dir, 'assets', 'main.js'), 'export {};');
  await writeFile(join(dir, 'assets', 'pages', 'login.js'), 'export const x = 1;');
  await writeFile(join(dir, 'assets', 'portal.css'), 'body{}');
  await writeFile(join(dir, 'assets', 'notes.unknown'), 'not served');
  await writeFile(join(dir, 'secret.txt'), 'outside assets');
  [fixture, bundled, apiOnly, unbuilt] = await Promise.all([start(dir), start(), start(null), start(join(dir, 'missing'))]);
});

afterAll(async () => {
  await Promise.all([fixture, bundled, apiOnly, unbuilt].map((s) => s?.close()));
  await rm(dir, { recursive: true, force: true });
});

const expectNotFound = async (res: Response) => {
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  expect(res.headers.get('content-security-policy')).toBeNull();
};

describe('the edge serves the Management Portal', () => {
  it.each(portalPages.map((p) => [p] as const))('%s → index.html with the strict CSP and no cookie', async (page) => {
    const res = await fetch(`${fixture.url}${page}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>fixture</title>');
    expect(res.headers.get('content-security-policy')).toBe(PORTAL_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the CSP allows script and style only from the origin, and no framing', () => {
    expect(PORTAL_CSP).toContain("default-src 'none'");
    expect(PORTAL_CSP).toContain("script-src 'self'");
    expect(PORTAL_CSP).toContain("style-src 'self'");
    expect(PORTAL_CSP).toContain("frame-ancestors 'none'");
    expect(PORTAL_CSP).not.toMatch(/unsafe|\*|data:/);
  });

  it('a page with a trailing slash, HEAD, and the token fragment never reaching the server', async () => {
    expect((await fetch(`${fixture.url}/settings/api-access/`)).status).toBe(200);
    const head = await fetch(`${fixture.url}/login`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('assets with their types (nested folders too), and 304 for an unchanged ETag', async () => {
    const js = await fetch(`${fixture.url}/assets/pages/login.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-security-policy')).toBe(PORTAL_CSP);
    const css = await fetch(`${fixture.url}/assets/portal.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = js.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${fixture.url}/assets/pages/login.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('other methods on a page or asset → 405 METHOD_NOT_ALLOWED in the envelope with Allow: GET, HEAD', async () => {
    for (const [method, path] of [['POST', '/login'], ['DELETE', '/settings/api-access'], ['PUT', '/assets/pages/login.js']] as const) {
      const res = await fetch(`${fixture.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('a method served nowhere (PROPFIND) → the envelope, never a bare 501: 405 with Allow on a known route, else 404', async () => {
    const known = await fetch(`${fixture.url}/api/user/login`, { method: 'PROPFIND' });
    expect([known.status, known.headers.get('allow'), ((await known.json()) as { error: { code: string } }).error.code]).toEqual([405, 'POST', 'METHOD_NOT_ALLOWED']);
    const page = await fetch(`${fixture.url}/login`, { method: 'PROPFIND' });
    expect([page.status, page.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    await expectNotFound(await fetch(`${fixture.url}/nonexistent`, { method: 'PROPFIND' }));
  });

  it('nothing else: unknown paths, traversal, files outside assets/, unknown types → the API 404 envelope', async () => {
    await expectNotFound(await fetch(`${fixture.url}/assets/nope.js`));
    await expectNotFound(await fetch(`${fixture.url}/assets/%2e%2e/secret.txt`));
    await expectNotFound(await fetch(`${fixture.url}/secret.txt`));
    await expectNotFound(await fetch(`${fixture.url}/index.html`));
    await expectNotFound(await fetch(`${fixture.url}/assets/notes.unknown`));
    await expectNotFound(await fetch(`${fixture.url}/settings/other`));
  });

  it('the API routes are unchanged', async () => {
    const res = await fetch(`${fixture.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { status: 'ok' } });
  });

  it('by default it serves the built @dispatch/portal (its module script, no inline script)', async () => {
    const res = await fetch(`${bundled.url}/login`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/assets/main.js"></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    expect((await fetch(`${bundled.url}/assets/main.js`)).status).toBe(200);
  });

  it('portalDir null, or a folder that is not built: the API only', async () => {
    await expectNotFound(await fetch(`${apiOnly.url}/login`));
    await expectNotFound(await fetch(`${unbuilt.url}/login`));
    expect((await fetch(`${unbuilt.url}/healthz`)).status).toBe(200);
  });
});
