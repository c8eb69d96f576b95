import { MAX_TOKEN_LENGTH } from '@dispatch/contracts';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

export interface BearerToken {
  token: string;
  /** The key id from the JWT header (not yet checked against the known keys). */
  kid: string;
}

/**
 * Parses an Authorization header, or undefined when the string cannot be one of our tokens
 * (wrong scheme, not three base64url parts, oversized, header not an HS256 JWT with a kid).
 * Those are rejected here without a call to any other service.
 */
export function parseBearer(header: string | undefined): BearerToken | undefined {
  if (!header || header.length > MAX_TOKEN_LENGTH + 7) return undefined;
  const match = BEARER.exec(header.trim());
  const token = match?.[1];
  if (!token) return undefined;
  const headerPart = token.slice(0, token.indexOf('.'));
  try {
    const jose = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as unknown;
    if (!jose || typeof jose !== 'object') return undefined;
    const { alg, kid } = jose as { alg?: unknown; kid?: unknown };
    if (alg !== 'HS256' || typeof kid !== 'string' || kid.length === 0 || kid.length > 64) return undefined;
    return { token, kid };
  } catch {
    return undefined;
  }
}

/** The token of an Authorization header, or undefined (see parseBearer). */
export function bearerToken(header: string | undefined): string | undefined {
  return parseBearer(header)?.token;
}
