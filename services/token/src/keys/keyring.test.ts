import { describe, expect, it } from 'vitest';
import {
  KeyringError,
  createKeyring,
  formatSigningKeys,
  generateKeyring,
  generateSigningKey,
  keyringFromConfig,
  parseSigningKeys,
} from './keyring.js';

const secretA = Buffer.alloc(32, 1).toString('base64url'); // 32 bytes of 0x01
const secretB = Buffer.alloc(48, 2).toString('base64url'); // 48 bytes of 0x02

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeyringError) return err.problems;
    throw err;
  }
  throw new Error('expected a KeyringError');
}

describe('parseSigningKeys', () => {
  it('parses comma-separated kid:secret entries in order', () => {
    const keys = parseSigningKeys(`k1:${secretA}, k2:${secretB}`);
    expect(keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(Buffer.from(keys[0]?.secret ?? []).equals(Buffer.alloc(32, 1))).toBe(true);
    expect(Buffer.from(keys[1]?.secret ?? []).equals(Buffer.alloc(48, 2))).toBe(true);
  });

  it('rejects an empty value', () => {
    expect(problemsOf(() => parseSigningKeys('  '))).toEqual(['no keys given: expected comma-separated kid:secret entries']);
  });

  it('lists every bad entry at once, naming the kid and never the secret', () => {
    const short = Buffer.alloc(31, 7).toString('base64url');
    const problems = problemsOf(() =>
      parseSigningKeys(`k1:${secretA},nocolon,bad kid:${secretA},k2:${short},k1:${secretB},k3:${secretA}==,,k4:`),
    );
    expect(problems).toEqual([
      'entry 2 is not in kid:secret form',
      'entry 3: kid must be 1-64 letters, digits, _ or -',
      'entry 4 (kid "k2"): secret is 31 bytes, at least 32 are required',
      'entry 5: kid "k1" is listed twice',
      'entry 6 (kid "k3"): secret must be base64url without padding',
      'entry 7 is empty',
      'entry 8 (kid "k4"): secret must be base64url without padding',
    ]);
    const message = problems.join('\n');
    expect(message).not.toContain(short);
    expect(message).not.toContain(secretA);
  });

  it('rejects a secret that is not base64url (standard base64 characters)', () => {
    const standard = Buffer.alloc(32, 0xfb).toString('base64'); // contains '+' and '/'
    expect(standard).toMatch(/[+/]/);
    expect(problemsOf(() => parseSigningKeys(`k1:${standard}`))).toEqual(['entry 1 (kid "k1"): secret must be base64url without padding']);
  });
});

describe('keyring', () => {
  it('signs with the first key by default and verifies with every key', () => {
    const ring = keyringFromConfig(`old:${secretA},new:${secretB}`);
    expect(ring.active.kid).toBe('old');
    expect(ring.kids).toEqual(['old', 'new']);
    expect(ring.verificationKey('old')?.export().equals(Buffer.alloc(32, 1))).toBe(true);
    expect(ring.verificationKey('new')?.export().equals(Buffer.alloc(48, 2))).toBe(true);
    expect(ring.verificationKey('other')).toBeUndefined();
    expect(ring.signingKey().export().equals(Buffer.alloc(32, 1))).toBe(true);
  });

  it('signs with TOKEN_ACTIVE_KID when given', () => {
    const ring = keyringFromConfig(`old:${secretA},new:${secretB}`, 'new');
    expect(ring.active.kid).toBe('new');
    expect(ring.signingKey().export().equals(Buffer.alloc(48, 2))).toBe(true);
  });

  it('rejects an active kid that is not in the ring', () => {
    expect(problemsOf(() => keyringFromConfig(`old:${secretA}`, 'new'))).toEqual([
      'active kid "new" is not one of the signing keys (old)',
    ]);
  });

  it('rejects an empty ring and short secrets given directly', () => {
    expect(problemsOf(() => createKeyring([]))).toEqual(['no keys given']);
    expect(problemsOf(() => createKeyring([{ kid: 'k1', secret: new Uint8Array(16) }]))).toEqual([
      'kid "k1": secret is 16 bytes, at least 32 are required',
    ]);
  });

  it('generates fresh 32-byte keys for the embedded mode', () => {
    const a = generateKeyring();
    const b = generateKeyring('dev');
    expect(a.active.kid).toBe('embedded');
    expect(b.active.kid).toBe('dev');
    expect(a.active.secret).toHaveLength(32);
    expect(Buffer.from(a.active.secret).equals(Buffer.from(b.active.secret))).toBe(false);
  });

  it('formats keys back into a TOKEN_SIGNING_KEYS value', () => {
    const keys = [generateSigningKey('k1'), generateSigningKey('k2')];
    const parsed = parseSigningKeys(formatSigningKeys(keys));
    expect(parsed.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(parsed.map((k) => Buffer.from(k.secret).toString('hex'))).toEqual(keys.map((k) => Buffer.from(k.secret).toString('hex')));
  });
});
