import { fileURLToPath } from 'node:url';

/**
 * The built Management Portal: a static folder (index.html, portal.css, assets/*.js as ES modules)
 * that the edge serves on the public port. The portal talks only to the public HTTP API.
 */
export const portalDir: string = fileURLToPath(new URL('./web/', import.meta.url));

/** The portal's pages: each answers with index.html, and the browser-side router draws the page. */
export const portalPages: readonly string[] = [
  '/',
  '/register',
  '/check-email',
  '/verify',
  '/login',
  '/invite',
  '/forgot-password',
  '/reset-password',
  '/settings',
  '/settings/api-access',
  '/settings/audit',
  '/settings/members',
];
