import { describe, expect, it } from 'vitest';
import { KeySet } from './keys.js';
import { parseBearer } from './bearer.js';

describe('KeySet', () => {
  it('is unknown until the first answer, then knows exactly the announced kids', () => {
    const keys = new KeySet(1000);
    expect(keys.knows('k1')).toBeUndefined();
    keys.add(['k1', 'k2'], 0);
    expect(keys.knows('k1')).toBe(true);
    expect(keys.knows('k3')).toBe(false);
  });

  it('forgets a kid no instance has named for the TTL once newer news arrives; keeps the last set without news', () => {
    const keys = new KeySet(1000);
    keys.add(['k1', 'k2'], 0);
    keys.add(['k2'], 500);
    expect(keys.knows('k1')).toBe(true);
    keys.add(['k2', 'k3'], 1600);
    expect(keys.knows('k1')).toBe(false);
    expect(keys.kids.sort()).toEqual(['k2', 'k3']);
  });
});

describe('parseBearer', () => {
  const head = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('returns the token and its kid, or undefined for strings that cannot be ours', () => {
    const token = `${head({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${head({})}.sig`;
    expect(parseBearer(`Bearer ${token}`)).toEqual({ token, kid: 'k1' });
    expect(parseBearer(`Bearer ${head({ alg: 'none', kid: 'k1' })}.e30.sig`)).toBeUndefined();
    expect(parseBearer(`Bearer ${head({ alg: 'HS256' })}.e30.sig`)).toBeUndefined();
    expect(parseBearer(`Bearer ${head({ alg: 'HS256', kid: 'k'.repeat(65) })}.e30.sig`)).toBeUndefined();
    expect(parseBearer('Bearer a.b')).toBeUndefined();
    expect(parseBearer(undefined)).toBeUndefined();
  });
});
