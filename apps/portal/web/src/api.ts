import { clearSession, getSession, rememberNext } from './session.js';

/** An error answer of the public API (`{"success":false,"error":{code,message,details}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** Seconds until a 429 may be retried (Retry-After / details.retryAfterSeconds). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }

  /** Field → message, from a 400 VALIDATION_ERROR's `details.fields`. */
  get fields(): Record<string, string> {
    const fields = this.details['fields'];
    if (typeof fields !== 'object' || fields === null) return {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) if (typeof value === 'string') out[key] = value;
    return out;
  }

  get reason(): string | null {
    const reason = this.details['reason'];
    return typeof reason === 'string' ? reason : null;
  }
}

type Listener = (err: ApiError) => void;
let onUnauthorized: Listener = () => undefined;

/** What to do when a call made with the session gets 401: the session is over, so log in again. */
export function setUnauthorizedHandler(listener: Listener): void {
  onUnauthorized = listener;
}

export interface CallOptions {
  /** Send the session token (default: when there is one). */
  auth?: boolean;
}

function retryAfter(res: Response, details: Record<string, unknown>): number | null {
  const fromDetails = details['retryAfterSeconds'];
  if (typeof fromDetails === 'number' && fromDetails >= 0) return fromDetails;
  const header = Number(res.headers.get('retry-after'));
  return Number.isFinite(header) && header >= 0 ? header : null;
}

/**
 * Calls the public API exactly as an integrator would: JSON in and out, the session token as a
 * Bearer header (never a cookie: `credentials: 'omit'`), the error envelope turned into ApiError.
 */
export async function call<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const session = options.auth === false ? null : getSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session) headers['authorization'] = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached. Check your connection and try again.');
  }
  let payload: unknown = null;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  const envelope = (payload ?? {}) as { success?: boolean; data?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
  if (res.ok && envelope.success === true) return envelope.data as T;
  const error = envelope.error ?? {};
  const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
  const err = new ApiError(
    res.status,
    typeof error.code === 'string' ? error.code : `HTTP_${res.status}`,
    typeof error.message === 'string' ? error.message : `The server answered ${res.status}.`,
    details,
    res.status === 429 ? retryAfter(res, details) : null,
  );
  if (res.status === 401 && session) {
    clearSession();
    rememberNext(location.pathname);
    onUnauthorized(err);
  }
  throw err;
}

// The API's shapes, as the README documents them.
export interface TokenRecord {
  id: string;
  description: string;
  status: 'active' | 'revoked' | 'expired';
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  revocationReason?: string | null;
  scopes?: string[];
  rotatedFrom?: string | null;
  rotatedTo?: string | null;
  graceEndsAt?: string | null;
}

export interface CreatedToken {
  token: string;
  tokenInfo: TokenRecord;
}

export interface RotatedToken extends CreatedToken {
  previous: TokenRecord;
}

export interface ActivityBucket {
  minute: string;
  method: string;
  route: string;
  status: number;
  ip: string;
  count: number;
}

export interface AuditRecord {
  id: string;
  at: string;
  action: string;
  tokenId: string;
  actor: { type: string; id: string | null };
  clientIp: string | null;
  route: string | null;
  count: number;
  details?: Record<string, unknown>;
}

export interface Profile {
  user: { id: string; email: string; firstName: string; lastName: string };
  business: { id: string; name: string };
  role: string;
}

export interface TokenActivity {
  tokenId: string;
  from: string;
  to: string;
  totalCalls: number;
  buckets: ActivityBucket[];
}
