import type { Bus } from '@dispatch/bus';
import { DispatchError, MAX_TOKEN_LENGTH, type InvalidTokenReason, type Principal } from '@dispatch/contracts';

/** The token is missing, malformed, unknown, revoked or expired: answer 401. */
export class AuthUnauthorizedError extends DispatchError {
  constructor(readonly reason: InvalidTokenReason | 'missing') {
    super('UNAUTHORIZED', 'Invalid or expired authentication token', { reason });
    this.name = 'AuthUnauthorizedError';
  }
}

/** The token service could not answer in time: fail closed (answer 503), never let the request pass. */
export class AuthUnavailableError extends DispatchError {
  constructor(message = 'Authentication is temporarily unavailable, try again shortly') {
    super('SERVICE_UNAVAILABLE', message);
    this.name = 'AuthUnavailableError';
  }
}

export interface AuthClientOptions {
  /** A connected bus (NATS in the mesh, in-memory embedded). */
  bus: Pick<Bus, 'request'>;
  /** How long to wait for the token service (default 3000 ms). */
  timeoutMs?: number;
  /**
   * Count these validations as uses of the token (last used, calls since rotation). Default true;
   * a service behind the edge sets false, since the edge already counted the call.
   */
  recordUsage?: boolean;
}

export interface AuthenticateContext {
  /** The caller's IP, for the audit of attempts with revoked or expired tokens. */
  clientIp?: string;
  /** `METHOD /path`, for the same audit. */
  route?: string;
}

export interface AuthClient {
  /**
   * Validates an `Authorization` header value (`Bearer <token>`) or a bare token through
   * `token.validate`, exactly as the edge does: revocation and expiry are decided by the token
   * service on every call. Resolves to the principal; throws AuthUnauthorizedError or
   * AuthUnavailableError.
   */
  authenticate(authorizationOrToken: string | undefined | null, context?: AuthenticateContext): Promise<Principal>;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The token in `Bearer <token>` or a bare token; undefined when it cannot be one of ours. */
export function extractToken(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const token = /^bearer\s/i.test(trimmed) ? trimmed.slice(6).trim() : trimmed;
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !JWT_SHAPE.test(token)) return undefined;
  return token;
}

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const timeoutMs = options.timeoutMs ?? 3000;
  return {
    async authenticate(value, context = {}) {
      const token = extractToken(value);
      if (!token) throw new AuthUnauthorizedError(value ? 'malformed' : 'missing');
      let reply;
      try {
        reply = await options.bus.request(
          'token.validate',
          {
            token,
            ...(context.clientIp !== undefined ? { clientIp: context.clientIp.slice(0, 64) } : {}),
            ...(context.route !== undefined ? { route: context.route.slice(0, 300) } : {}),
            ...(options.recordUsage === false ? { recordUsage: false } : {}),
          },
          { timeoutMs },
        );
      } catch (err) {
        throw new AuthUnavailableError(err instanceof DispatchError && err.code === 'SERVICE_UNAVAILABLE' ? err.message : undefined);
      }
      if (!reply.valid) throw new AuthUnauthorizedError(reply.reason);
      return reply.principal;
    },
  };
}
