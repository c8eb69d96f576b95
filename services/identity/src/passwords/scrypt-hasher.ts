import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters. N must be a power of two. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  /** Length of the derived key in bytes. */
  keylen: number;
  /** Length of the random salt in bytes. */
  saltBytes: number;
}

export const defaultScryptParams: ScryptParams = { N: 16384, r: 8, p: 1, keylen: 64, saltBytes: 16 };

/** Upper bounds accepted from a stored hash, so a corrupt or hostile record cannot make us allocate gigabytes. */
const LIMITS = { maxN: 2 ** 20, maxR: 32, maxP: 16, maxKeylen: 256, minKeylen: 16 };

const PREFIX = 'scrypt';

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;

/** Memory scrypt needs (OpenSSL: 128·r·(N+p+2) bytes), plus headroom; Node's default 32 MiB cap is too low for N=2^15+. */
export function scryptMaxmem(params: Pick<ScryptParams, 'N' | 'r' | 'p'>): number {
  return 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
}

export function assertScryptParams(params: ScryptParams): void {
  const problems: string[] = [];
  if (!isPowerOfTwo(params.N) || params.N > LIMITS.maxN) problems.push(`N must be a power of two between 2 and ${LIMITS.maxN}`);
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > LIMITS.maxR) problems.push(`r must be an integer 1-${LIMITS.maxR}`);
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > LIMITS.maxP) problems.push(`p must be an integer 1-${LIMITS.maxP}`);
  if (!Number.isInteger(params.keylen) || params.keylen < LIMITS.minKeylen || params.keylen > LIMITS.maxKeylen) {
    problems.push(`keylen must be an integer ${LIMITS.minKeylen}-${LIMITS.maxKeylen}`);
  }
  if (!Number.isInteger(params.saltBytes) || params.saltBytes < 16 || params.saltBytes > 64) problems.push('saltBytes must be an integer 16-64');
  if (problems.length > 0) throw new Error(`Invalid scrypt parameters: ${problems.join('; ')}`);
}

function deriveKey(password: string, salt: Buffer, params: Omit<ScryptParams, 'saltBytes'>): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: scryptMaxmem(params) };
  return new Promise((resolve, reject) => {
    // The callback form runs on libuv's thread pool: the event loop is never blocked.
    scrypt(password.normalize('NFC'), salt, params.keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses `scrypt$<N>$<r>$<p>$<saltB64>$<hashB64>`; undefined when the string is not one. */
export function parseScryptHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return undefined;
  const [, nText, rText, pText, saltText, hashText] = parts;
  if (!nText || !rText || !pText || !saltText || !hashText) return undefined;
  if (!/^\d{1,8}$/.test(nText) || !/^\d{1,3}$/.test(rText) || !/^\d{1,3}$/.test(pText)) return undefined;
  if (!B64.test(saltText) || !B64.test(hashText)) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  if (!isPowerOfTwo(N) || N > LIMITS.maxN || r < 1 || r > LIMITS.maxR || p < 1 || p > LIMITS.maxP) return undefined;
  if (hash.length < LIMITS.minKeylen || hash.length > LIMITS.maxKeylen || salt.length < 8) return undefined;
  return { N, r, p, salt, hash };
}

/**
 * Password hashing with scrypt. Hashes are self-describing (`scrypt$N$r$p$salt$hash`), so the
 * parameters can be raised later: old hashes still verify, and `needsRehash` says when to upgrade.
 */
export class PasswordHasher {
  private readonly params: ScryptParams;
  private dummy: Promise<string> | undefined;

  constructor(params: Partial<ScryptParams> = {}) {
    this.params = { ...defaultScryptParams, ...params };
    assertScryptParams(this.params);
  }

  get parameters(): Readonly<ScryptParams> {
    return this.params;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(this.params.saltBytes);
    const key = await deriveKey(password, salt, this.params);
    const { N, r, p } = this.params;
    return `${PREFIX}$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** True when `password` matches `stored`. A malformed stored hash never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseScryptHash(stored);
    if (!parsed) {
      // Spend the same time as a real check, then fail.
      await this.verifyDummy(password);
      return false;
    }
    const key = await deriveKey(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p, keylen: parsed.hash.length });
    return timingSafeEqual(key, parsed.hash);
  }

  /**
   * Verifies `password` against a precomputed hash of a random secret (always false). Called when
   * the account does not exist, so an unknown email costs the same as a wrong password.
   */
  async verifyDummy(password: string): Promise<false> {
    const stored = await this.dummyHash();
    const parsed = parseScryptHash(stored);
    if (parsed) {
      const key = await deriveKey(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p, keylen: parsed.hash.length });
      timingSafeEqual(key, parsed.hash);
    }
    return false;
  }

  /** True when `stored` was made with other parameters than the current ones (or is not an scrypt hash). */
  needsRehash(stored: string): boolean {
    const parsed = parseScryptHash(stored);
    if (!parsed) return true;
    const { N, r, p, keylen, saltBytes } = this.params;
    return parsed.N !== N || parsed.r !== r || parsed.p !== p || parsed.hash.length !== keylen || parsed.salt.length !== saltBytes;
  }

  /** Computes the dummy hash ahead of the first login (call at start-up). */
  async warmUp(): Promise<void> {
    await this.dummyHash();
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(32).toString('base64url')).catch((err: unknown) => {
      this.dummy = undefined;
      throw err;
    });
    return this.dummy;
  }
}
