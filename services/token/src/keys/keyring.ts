import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** Minimum length of an HS256 signing secret, in bytes (RFC 7518 §3.2: at least the hash size). */
export const MIN_SECRET_BYTES = 32;

const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** One HMAC signing key. `secret` is never logged or serialised except by `formatSigningKeys`. */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

/** The keys a token service signs with (`active`) and accepts (all of them). */
export interface Keyring {
  readonly active: SigningKey;
  /** Every key id that verifies, the active one included. */
  readonly kids: readonly string[];
  /** The verification key for `kid`, or undefined when it is not in the ring. */
  verificationKey(kid: string): KeyObject | undefined;
  /** The signing key object of the active key. */
  signingKey(): KeyObject;
}

/** A configuration problem with the signing keys; `problems` lists every one found. */
export class KeyringError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid signing keys: ${problems.join('; ')}`);
    this.name = 'KeyringError';
  }
}

/**
 * Parses `TOKEN_SIGNING_KEYS`: comma-separated `kid:secret` entries, the secret being base64url
 * (no padding) of at least 32 random bytes. Messages name the entry and its kid, never the secret.
 */
export function parseSigningKeys(spec: string): SigningKey[] {
  const problems: string[] = [];
  const keys: SigningKey[] = [];
  const seen = new Set<string>();
  if (spec.trim() === '') throw new KeyringError(['no keys given: expected comma-separated kid:secret entries']);
  const entries = spec.split(',').map((e) => e.trim());
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    if (entry === '') {
      problems.push(`${where} is empty`);
      return;
    }
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} is not in kid:secret form`);
      return;
    }
    const kid = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KID_PATTERN.test(kid)) {
      problems.push(`${where}: kid must be 1-64 letters, digits, _ or -`);
      return;
    }
    if (seen.has(kid)) {
      problems.push(`${where}: kid "${kid}" is listed twice`);
      return;
    }
    seen.add(kid);
    if (!BASE64URL_PATTERN.test(encoded)) {
      problems.push(`${where} (kid "${kid}"): secret must be base64url without padding`);
      return;
    }
    const secret = new Uint8Array(Buffer.from(encoded, 'base64url'));
    if (secret.length < MIN_SECRET_BYTES) {
      problems.push(`${where} (kid "${kid}"): secret is ${secret.length} bytes, at least ${MIN_SECRET_BYTES} are required`);
      return;
    }
    keys.push({ kid, secret });
  });
  if (problems.length > 0) throw new KeyringError(problems);
  return keys;
}

/** Builds a keyring; `activeKid` defaults to the first key. */
export function createKeyring(keys: readonly SigningKey[], activeKid?: string): Keyring {
  const first = keys[0];
  if (!first) throw new KeyringError(['no keys given']);
  const objects = new Map<string, KeyObject>();
  for (const key of keys) {
    if (!KID_PATTERN.test(key.kid)) throw new KeyringError([`kid "${key.kid}" must be 1-64 letters, digits, _ or -`]);
    if (key.secret.length < MIN_SECRET_BYTES) {
      throw new KeyringError([`kid "${key.kid}": secret is ${key.secret.length} bytes, at least ${MIN_SECRET_BYTES} are required`]);
    }
    if (objects.has(key.kid)) throw new KeyringError([`kid "${key.kid}" is listed twice`]);
    objects.set(key.kid, createSecretKey(key.secret));
  }
  const active = activeKid === undefined ? first : keys.find((k) => k.kid === activeKid);
  if (!active) throw new KeyringError([`active kid "${activeKid ?? ''}" is not one of the signing keys (${keys.map((k) => k.kid).join(', ')})`]);
  const activeObject = objects.get(active.kid);
  if (!activeObject) throw new KeyringError([`active kid "${active.kid}" has no key`]);
  return {
    active,
    kids: keys.map((k) => k.kid),
    verificationKey: (kid) => objects.get(kid),
    signingKey: () => activeObject,
  };
}

/** Parses `TOKEN_SIGNING_KEYS` + `TOKEN_ACTIVE_KID` into a keyring; throws KeyringError listing every problem. */
export function keyringFromConfig(signingKeys: string, activeKid?: string): Keyring {
  return createKeyring(parseSigningKeys(signingKeys), activeKid);
}

/** A fresh random signing key (32 bytes). */
export function generateSigningKey(kid: string): SigningKey {
  return { kid, secret: new Uint8Array(randomBytes(MIN_SECRET_BYTES)) };
}

/**
 * A keyring with one fresh random key. For the EMBEDDED mode only: tokens it signs stop
 * verifying when the process restarts. Mesh mode must configure TOKEN_SIGNING_KEYS.
 */
export function generateKeyring(kid = 'embedded'): Keyring {
  return createKeyring([generateSigningKey(kid)]);
}

/** Formats keys as a `TOKEN_SIGNING_KEYS` value (for tooling that provisions keys). */
export function formatSigningKeys(keys: readonly SigningKey[]): string {
  return keys.map((k) => `${k.kid}:${Buffer.from(k.secret).toString('base64url')}`).join(',');
}
