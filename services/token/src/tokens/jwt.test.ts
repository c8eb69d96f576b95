import { SignJWT, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_LENGTH } from '@dispatch/contracts';
import { createKeyring, generateSigningKey } from '../keys/keyring.js';
import { signApiToken, signSessionToken, verifyTokenSignature } from './jwt.js';

const k1 = generateSigningKey('k1');
const ring = createKeyring([k1]);
const now = new Date('2025-03-04T05:06:07.000Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('token formats', () => {
  it('API token: HS256 JWT with kid, {typ, sub, bid, jti} and no expiry', async () => {
    const token = await signApiToken(ring, { tokenId: 'tok_0000000000aaaaaaaaaaaaaaaa', businessId: 'biz_0000000000aaaaaaaaaaaaaaaa' });
    expect(token.startsWith('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIs')).toBe(true);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    const payload = decodeJwt(token);
    expect(Object.keys(payload).sort()).toEqual(['bid', 'jti', 'sub', 'typ']);
    expect(payload).toMatchObject({ typ: 'api', sub: 'tok_0000000000aaaaaaaaaaaaaaaa', bid: 'biz_0000000000aaaaaaaaaaaaaaaa' });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const again = await signApiToken(ring, { tokenId: 'tok_0000000000aaaaaaaaaaaaaaaa', businessId: 'biz_0000000000aaaaaaaaaaaaaaaa' });
    expect(again).not.toBe(token);
  });

  it('session token: HS256 JWT with {typ, sub, bid, sid, role, iat, exp}', async () => {
    const token = await signSessionToken(ring, {
      userId: 'usr_0000000000aaaaaaaaaaaaaaaa',
      businessId: 'biz_0000000000aaaaaaaaaaaaaaaa',
      sessionId: 'ses_0000000000aaaaaaaaaaaaaaaa',
      role: 'admin',
      iat: 1_700_000_000,
      exp: 1_700_028_800,
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    expect(decodeJwt(token)).toEqual({
      typ: 'session',
      sub: 'usr_0000000000aaaaaaaaaaaaaaaa',
      bid: 'biz_0000000000aaaaaaaaaaaaaaaa',
      sid: 'ses_0000000000aaaaaaaaaaaaaaaa',
      role: 'admin',
      iat: 1_700_000_000,
      exp: 1_700_028_800,
    });
  });
});

describe('verifyTokenSignature', () => {
  const apiClaims = { typ: 'api', sub: 'tok_0000000000aaaaaaaaaaaaaaaa', bid: 'biz_0000000000aaaaaaaaaaaaaaaa', jti: 'abcdefghijklmnopqrstuv' };

  it('accepts its own token and returns the claims and kid', async () => {
    const token = await signApiToken(ring, { tokenId: apiClaims.sub, businessId: apiClaims.bid });
    const result = await verifyTokenSignature(ring, token, now);
    expect(result).toEqual({ ok: true, kid: 'k1', claims: decodeJwt(token) });
  });

  it.each([
    ['empty', ''],
    ['too long', `${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['empty signature', `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64(apiClaims)}.`],
    ['non-base64url character', `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64(apiClaims)}.ab+c`],
    ['header not JSON', `bm90IGpzb24.${b64(apiClaims)}.c2ln`],
    ['header an array', `${b64(['HS256'])}.${b64(apiClaims)}.c2ln`],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT', kid: 'k1' })}.${b64(apiClaims)}.c2ln`],
    ['alg RS256', `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64(apiClaims)}.c2ln`],
    ['alg hs256 (case)', `${b64({ alg: 'hs256', typ: 'JWT', kid: 'k1' })}.${b64(apiClaims)}.c2ln`],
    ['no kid', `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(apiClaims)}.c2ln`],
    ['numeric kid', `${b64({ alg: 'HS256', typ: 'JWT', kid: 1 })}.${b64(apiClaims)}.c2ln`],
    ['typ not JWT', `${b64({ alg: 'HS256', typ: 'JWE', kid: 'k1' })}.${b64(apiClaims)}.c2ln`],
  ])('rejects %s as malformed', async (_name, token) => {
    expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a kid outside the ring as unknown_key', async () => {
    const token = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k9' })}.${b64(apiClaims)}.c2ln`;
    expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('rejects a tampered payload as bad_signature', async () => {
    const token = await signApiToken(ring, { tokenId: apiClaims.sub, businessId: apiClaims.bid });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64({ ...apiClaims, bid: 'biz_0000000000bbbbbbbbbbbbbbbb' })}.${s}`;
    expect(await verifyTokenSignature(ring, forged, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects well-signed claims of the wrong shape as malformed', async () => {
    const token = await new SignJWT({ typ: 'api', sub: 'someone', bid: 'biz_0000000000aaaaaaaaaaaaaaaa', jti: 'abcdefghijklmnopqrstuv' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
      .sign(k1.secret);
    expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reports a well-signed session token past its exp as expired', async () => {
    const token = await signSessionToken(ring, {
      userId: 'usr_0000000000aaaaaaaaaaaaaaaa',
      businessId: 'biz_0000000000aaaaaaaaaaaaaaaa',
      sessionId: 'ses_0000000000aaaaaaaaaaaaaaaa',
      role: 'viewer',
      iat: Math.floor(now.getTime() / 1000) - 100,
      exp: Math.floor(now.getTime() / 1000),
    });
    expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'expired' });
    expect((await verifyTokenSignature(ring, token, new Date(now.getTime() - 1000))).ok).toBe(true);
  });

  describe('the synchronous HMAC check agrees with jose and is strict', () => {
    // Signed by hand: jose itself refuses to sign some of these headers.
    const signWith = async (claims: Record<string, unknown>, head: Record<string, unknown> = { alg: 'HS256', typ: 'JWT', kid: 'k1' }) => {
      const input = `${b64(head)}.${b64(claims)}`;
      return `${input}.${createHmac('sha256', k1.secret).update(input).digest('base64url')}`;
    };

    it('rejects a token signed with another secret under a known kid as bad_signature', async () => {
      const other = new TextEncoder().encode('another secret of at least 32 bytes!!');
      const token = await new SignJWT(apiClaims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'k1' }).sign(other);
      expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    });

    it('rejects a truncated, extended or non-canonical signature segment as bad_signature', async () => {
      const token = await signApiToken(ring, { tokenId: apiClaims.sub, businessId: apiClaims.bid });
      const [h, p, s = ''] = token.split('.');
      // 32 bytes → 43 base64url characters, the last one carrying 2 unused bits: flip them.
      const last = s.charAt(s.length - 1);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
      expect(Buffer.from(`${s.slice(0, -1)}${sibling}`, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
      for (const sig of [s.slice(0, -2), `${s}A`, `${s.slice(0, -1)}${sibling}`]) {
        expect(await verifyTokenSignature(ring, `${h}.${p}.${sig}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
      }
    });

    it.each([
      ['a crit header', { alg: 'HS256', typ: 'JWT', kid: 'k1', crit: ['exp'] }, apiClaims],
      ['a non-numeric exp', undefined, { ...apiClaims, exp: 'tomorrow' }],
      ['a non-numeric iat', undefined, { ...apiClaims, iat: 'now' }],
      ['an nbf in the future', undefined, { ...apiClaims, nbf: Math.floor(now.getTime() / 1000) + 60 }],
    ])('rejects a well-signed token with %s as malformed', async (_name, head, claims) => {
      const token = await signWith(claims, head);
      expect(await verifyTokenSignature(ring, token, now)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('every token it accepts, jose accepts with the same claims', async () => {
      const tokens = [
        await signApiToken(ring, { tokenId: apiClaims.sub, businessId: apiClaims.bid }),
        await signSessionToken(ring, {
          userId: 'usr_0000000000aaaaaaaaaaaaaaaa',
          businessId: 'biz_0000000000aaaaaaaaaaaaaaaa',
          sessionId: 'ses_0000000000aaaaaaaaaaaaaaaa',
          role: 'owner',
          iat: Math.floor(now.getTime() / 1000) - 10,
          exp: Math.floor(now.getTime() / 1000) + 10,
        }),
      ];
      for (const token of tokens) {
        const ours = await verifyTokenSignature(ring, token, now);
        const theirs = await jwtVerify(token, k1.secret, { algorithms: ['HS256'], typ: 'JWT', currentDate: now });
        expect(ours).toEqual({ ok: true, kid: 'k1', claims: theirs.payload });
      }
    });
  });
});

