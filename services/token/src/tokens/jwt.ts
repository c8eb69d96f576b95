import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { BusinessId, MAX_TOKEN_LENGTH, Role, SessionId, TokenId, UserId, type InvalidTokenReason } from '@dispatch/contracts';
import type { Keyring } from '../keys/keyring.js';

export const TOKEN_ALG = 'HS256';

/** Claims of a long-lived API token (no `exp`: its lifetime is kept in the store). */
export const ApiTokenClaims = z.object({
  typ: z.literal('api'),
  sub: TokenId,
  bid: BusinessId,
  jti: z.string().min(16).max(64),
});
export type ApiTokenClaims = z.infer<typeof ApiTokenClaims>;

/** Claims of a user session token. */
export const SessionTokenClaims = z.object({
  typ: z.literal('session'),
  sub: UserId,
  bid: BusinessId,
  sid: SessionId,
  role: Role,
  iat: z.number().int(),
  exp: z.number().int(),
});
export type SessionTokenClaims = z.infer<typeof SessionTokenClaims>;

const TokenClaims = z.discriminatedUnion('typ', [ApiTokenClaims, SessionTokenClaims]);
export type TokenClaims = z.infer<typeof TokenClaims>;

const header = (keyring: Keyring) => ({ alg: TOKEN_ALG, typ: 'JWT', kid: keyring.active.kid });

/** Signs an API token with the active key: `{typ:'api', sub: tokenId, bid, jti}`. */
export function signApiToken(keyring: Keyring, claims: { tokenId: string; businessId: string }): Promise<string> {
  const payload: ApiTokenClaims = {
    typ: 'api',
    sub: claims.tokenId,
    bid: claims.businessId,
    jti: randomBytes(16).toString('base64url'),
  };
  return new SignJWT(payload).setProtectedHeader(header(keyring)).sign(keyring.signingKey());
}

/** Signs a session token with the active key; `iat` and `exp` are Unix seconds. */
export function signSessionToken(
  keyring: Keyring,
  claims: { userId: string; businessId: string; sessionId: string; role: SessionTokenClaims['role']; iat: number; exp: number },
): Promise<string> {
  const payload: SessionTokenClaims = {
    typ: 'session',
    sub: claims.userId,
    bid: claims.businessId,
    sid: claims.sessionId,
    role: claims.role,
    iat: claims.iat,
    exp: claims.exp,
  };
  return new SignJWT(payload).setProtectedHeader(header(keyring)).sign(keyring.signingKey());
}

export type VerifyResult = { ok: true; claims: TokenClaims; kid: string } | { ok: false; reason: InvalidTokenReason };

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeHeader(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Checks a bearer string's form and signature, cheapest checks first: length, three base64url
 * segments, a JSON header with alg exactly HS256 and a kid from the keyring, then the HMAC with
 * HS256 only, then the claims. A good signature alone does not make a token valid: the caller
 * must still find it in the store.
 */
export async function verifyTokenSignature(keyring: Keyring, token: string, now: Date): Promise<VerifyResult> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerSegment, payloadSegment, signatureSegment] = parts;
  if (
    headerSegment === undefined ||
    payloadSegment === undefined ||
    signatureSegment === undefined ||
    !SEGMENT.test(headerSegment) ||
    !SEGMENT.test(payloadSegment) ||
    !SEGMENT.test(signatureSegment)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const head = decodeHeader(headerSegment);
  if (!head || head['alg'] !== TOKEN_ALG || head['typ'] !== 'JWT') return { ok: false, reason: 'malformed' };
  const kid = head['kid'];
  if (typeof kid !== 'string' || kid === '') return { ok: false, reason: 'malformed' };
  const key = keyring.verificationKey(kid);
  if (!key) return { ok: false, reason: 'unknown_key' };

  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: [TOKEN_ALG], typ: 'JWT', currentDate: now }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
    if (err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTInvalid) {
      return { ok: false, reason: 'malformed' };
    }
    return { ok: false, reason: 'bad_signature' };
  }
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) return { ok: false, reason: 'malformed' };
  return { ok: true, claims: claims.data, kid };
}
