import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { DispatchError } from '@dispatch/contracts';
import type { Logger } from '@dispatch/runtime';
import type { Next } from 'koa';
import type { EdgeContext } from '../http/context.js';

/**
 * The Management Portal's pages. Script only from this origin's own files (no inline script,
 * no inline style attributes, no eval), API calls only to this origin, never framed.
 */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

export interface PortalOptions {
  /** The built portal folder (index.html, assets/). */
  dir: string;
  /** Paths answered with index.html (the browser-side router draws the page). */
  pages: readonly string[];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** Reads the portal's files once, into memory: only those files are ever served (no path from a request touches the disk). */
export function loadPortal(options: PortalOptions): Map<string, StaticFile> | null {
  let paths: string[];
  try {
    paths = walk(join(options.dir, 'assets'));
  } catch {
    return null;
  }
  const files = new Map<string, StaticFile>();
  const load = (path: string): StaticFile | null => {
    const type = TYPES[extname(path)];
    if (!type) return null;
    const body = readFileSync(path);
    return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  };
  for (const path of paths) {
    const file = load(path);
    if (file) files.set(`/assets/${relative(join(options.dir, 'assets'), path).split(sep).join('/')}`, file);
  }
  let index: StaticFile | null;
  try {
    index = load(join(options.dir, 'index.html'));
  } catch {
    return null;
  }
  if (!index) return null;
  for (const page of options.pages) files.set(page, index);
  return files;
}

/**
 * Serves the portal on GET/HEAD for its pages and /assets/*, with a strict Content-Security-Policy;
 * every other request goes on to the API routes. Nothing here sets a cookie.
 */
export function portalMiddleware(options: PortalOptions, logger: Logger) {
  const files = loadPortal(options);
  if (!files) logger.warn({ dir: options.dir }, 'portal not built: the edge serves the API only (run the build)');
  return async (ctx: EdgeContext, next: Next): Promise<void> => {
    if (!files) return next();
    const path = ctx.path.length > 1 ? ctx.path.replace(/\/+$/, '') : ctx.path;
    const file = files.get(path);
    if (!file) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      throw new DispatchError('METHOD_NOT_ALLOWED', `${ctx.method} is not allowed on ${ctx.path}`);
    }
    ctx.set('Content-Security-Policy', PORTAL_CSP);
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', file.etag);
    ctx.type = file.type;
    if (ctx.get('if-none-match') === file.etag) {
      ctx.status = 304;
      return;
    }
    ctx.status = 200;
    ctx.body = file.body;
  };
}
