import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
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

/** A JSON object from a base64url segment (header or payload), or undefined. */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
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
 * segments, a JSON header with alg exactly HS256, typ JWT, no `crit`, and a kid from the keyring,
 * then the HMAC-SHA256 (synchronous node:crypto, compared with timingSafeEqual; the signature
 * segment must be the canonical base64url of the MAC), then the registered time claims (`exp`,
 * `nbf`, `iat`: numbers when present; expired when `exp` <= now, as jose does), then the claims'
 * shape. A good signature alone does not make a token valid: the caller must still find it in
 * the store. (Synchronous on purpose: jose's WebCrypto verify costs ~80 µs per call against
 * ~6 µs here, on every request the edge authenticates — see README "Benchmarks".)
 */
export async function verifyTokenSignature(keyring: Keyring, token: string, now: Date): Promise<VerifyResult> {
  return verifyTokenSignatureSync(keyring, token, now);
}

export function verifyTokenSignatureSync(keyring: Keyring, token: string, now: Date): VerifyResult {
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
  const head = decodeJsonObject(headerSegment);
  if (!head || head['alg'] !== TOKEN_ALG || head['typ'] !== 'JWT' || head['crit'] !== undefined) return { ok: false, reason: 'malformed' };
  const kid = head['kid'];
  if (typeof kid !== 'string' || kid === '') return { ok: false, reason: 'malformed' };
  const key = keyring.verificationKey(kid);
  if (!key) return { ok: false, reason: 'unknown_key' };

  const mac = createHmac('sha256', key).update(`${headerSegment}.${payloadSegment}`).digest();
  const signature = Buffer.from(signatureSegment, 'base64url');
  if (signature.length !== mac.length || !timingSafeEqual(signature, mac) || signature.toString('base64url') !== signatureSegment) {
    return { ok: false, reason: 'bad_signature' };
  }
  const payload = decodeJsonObject(payloadSegment);
  if (!payload) return { ok: false, reason: 'malformed' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') return { ok: false, reason: 'malformed' };
  }
  if (typeof payload['nbf'] === 'number' && payload['nbf'] > nowSeconds) return { ok: false, reason: 'malformed' };
  if (typeof payload['exp'] === 'number' && payload['exp'] <= nowSeconds) return { ok: false, reason: 'expired' };
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) return { ok: false, reason: 'malformed' };
  return { ok: true, claims: claims.data, kid };
}
