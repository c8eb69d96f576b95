import { describe, expect, it, vi } from 'vitest';
import { PasswordHasher, defaultScryptParams, parseScryptHash, scryptMaxmem } from './scrypt-hasher.js';

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('uses N=16384 r=8 p=1, a 64-byte key and a 16-byte salt by default', () => {
    expect(defaultScryptParams).toEqual({ N: 16384, r: 8, p: 1, keylen: 64, saltBytes: 16 });
    expect(hasher.parameters).toEqual(defaultScryptParams);
  });

  it('stores a self-describing scrypt$N$r$p$salt$hash string', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    const m = FORMAT.exec(stored);
    expect(m).not.toBeNull();
    expect(m?.slice(1, 4)).toEqual(['16384', '8', '1']);
    expect(Buffer.from(m?.[4] ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(m?.[5] ?? '', 'base64')).toHaveLength(64);
    expect(stored).not.toContain('correct horse');
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hasher.hash('s3cret-password');
    await expect(hasher.verify('s3cret-password', stored)).resolves.toBe(true);
    await expect(hasher.verify('s3cret-passwore', stored)).resolves.toBe(false);
    await expect(hasher.verify('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same-password'), hasher.hash('same-password')]);
    expect(a).not.toBe(b);
    expect(parseScryptHash(a)?.salt.equals(parseScryptHash(b)?.salt ?? Buffer.alloc(0))).toBe(false);
  });

  it('verifies hashes made with other parameters and says they need a re-hash', async () => {
    const old = new PasswordHasher({ N: 1024, r: 4, keylen: 32 });
    const stored = await old.hash('upgrade-me-please');
    expect(stored.startsWith('scrypt$1024$4$1$')).toBe(true);
    await expect(hasher.verify('upgrade-me-please', stored)).resolves.toBe(true);
    await expect(hasher.verify('upgrade-me-pleasE', stored)).resolves.toBe(false);
    expect(hasher.needsRehash(stored)).toBe(true);
    expect(old.needsRehash(stored)).toBe(false);
    expect(hasher.needsRehash(await hasher.hash('x'))).toBe(false);
  });

  it('treats malformed or hostile stored hashes as a mismatch, without throwing', async () => {
    const good = await hasher.hash('password123');
    const parts = good.split('$');
    const tampered = [...parts.slice(0, 5), Buffer.alloc(64, 1).toString('base64')].join('$');
    for (const stored of [
      'plain-text-password',
      'scrypt$abc',
      'bcrypt$16384$8$1$AAAA$BBBB',
      `scrypt$1000$8$1$${parts[4]}$${parts[5]}`, // N not a power of two
      `scrypt$1073741824$8$1$${parts[4]}$${parts[5]}`, // N = 2^30: refused before allocating
      tampered,
    ]) {
      await expect(hasher.verify('password123', stored)).resolves.toBe(false);
    }
  });

  it('normalises unicode so composed and decomposed input match', async () => {
    const stored = await hasher.hash('caf\u00e9-password');
    await expect(hasher.verify('cafe\u0301-password', stored)).resolves.toBe(true);
  });

  it('verifies a dummy hash (always false) for unknown accounts, computing it once', async () => {
    const h = new PasswordHasher({ N: 1024 });
    const spy = vi.spyOn(h, 'hash');
    await expect(h.verifyDummy('anything')).resolves.toBe(false);
    await expect(h.verifyDummy('anything-else')).resolves.toBe(false);
    await h.warmUp();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('does not block the event loop while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const started = Date.now();
      await hasher.hash('non-blocking-please');
      await hasher.verify('non-blocking-please', await hasher.hash('non-blocking-please'));
      const elapsed = Date.now() - started;
      // A synchronous hash would leave the interval no chance to run at all.
      expect(elapsed).toBeGreaterThan(0);
      expect(ticks).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('raises maxmem so larger N works (N=32768 needs more than the 32 MiB default)', async () => {
    expect(scryptMaxmem({ N: 32768, r: 8, p: 1 })).toBeGreaterThan(32 * 1024 * 1024);
    const big = new PasswordHasher({ N: 32768 });
    const stored = await big.hash('memory-hungry');
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
    await expect(big.verify('memory-hungry', stored)).resolves.toBe(true);
  });

  it('refuses invalid parameters', () => {
    expect(() => new PasswordHasher({ N: 1000 })).toThrow(/N must be a power of two/);
    expect(() => new PasswordHasher({ r: 0 })).toThrow(/r must be/);
    expect(() => new PasswordHasher({ p: 0 })).toThrow(/p must be/);
    expect(() => new PasswordHasher({ saltBytes: 8 })).toThrow(/saltBytes/);
  });
});
