/**
 * The session token lives in this tab's sessionStorage (and in memory): it is sent only as an
 * `Authorization: Bearer` header by our own script, never as a cookie, so no other site can make
 * the browser use it (no CSRF). The portal's Content-Security-Policy allows script only from this
 * origin's own files (no inline or third-party script), so no foreign script runs to read it.
 * Closing the tab forgets it; logging out also ends it on the server.
 */
export interface SessionUser {
  id: string;
  email: string;
  businessId: string;
  role: string;
}

export interface Session {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

const KEY = 'dispatch.session';
const NEXT_KEY = 'dispatch.next';
const EMAIL_KEY = 'dispatch.pendingEmail';

let current: Session | null = null;

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const user = v['user'] as Record<string, unknown> | undefined;
  return typeof v['token'] === 'string' && typeof v['expiresAt'] === 'string' && typeof user === 'object' && user !== null && typeof user['role'] === 'string';
}

export function getSession(): Session | null {
  if (current) return current;
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isSession(parsed) && Date.parse(parsed.expiresAt) > Date.now()) {
      current = parsed;
      return current;
    }
  } catch {
    // A damaged entry is dropped below.
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function setSession(session: Session): void {
  current = session;
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  current = null;
  sessionStorage.removeItem(KEY);
}

/** Where to go after logging in (a portal path, never a full URL). */
export function rememberNext(path: string): void {
  if (path.startsWith('/settings')) sessionStorage.setItem(NEXT_KEY, path);
}

export function takeNext(): string {
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  return next && next.startsWith('/settings') ? next : '/settings/api-access';
}

/** The address just registered, for the "check your email" page (kept out of the URL). */
export const pendingEmail = {
  set: (email: string) => sessionStorage.setItem(EMAIL_KEY, email),
  get: (): string | null => sessionStorage.getItem(EMAIL_KEY),
};
