import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryHub } from '@dispatch/bus';
import type { ValidateTokenRequest } from '@dispatch/contracts';
import { createLogger } from '@dispatch/runtime';
import { AuthUnauthorizedError, AuthUnavailableError, createAuthClient, extractToken } from './index.js';

const logger = createLogger({ service: 'auth-client-test', level: 'silent' });
const good = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJhcGkifQ.c2lnbmF0dXJl';
const revoked = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJhcGkifQ.cmV2b2tlZA';
const principal = { kind: 'api' as const, businessId: `biz_${'a'.repeat(26)}`, tokenId: `tok_${'b'.repeat(26)}`, scopes: ['*'] };

function setup() {
  const hub = new MemoryHub();
  const server = new MemoryBus(hub, 'ac', logger);
  const seen: ValidateTokenRequest[] = [];
  server.serve('token.validate', async (req) => {
    seen.push(req);
    if (req.token === good) return { valid: true, principal };
    return { valid: false, reason: req.token === revoked ? 'revoked' : 'unknown_token' };
  });
  return { bus: new MemoryBus(hub, 'ac', logger), seen, server };
}

describe('auth client', () => {
  it('accepts a Bearer header or a bare token and returns the principal', async () => {
    const { bus, seen } = setup();
    const client = createAuthClient({ bus, timeoutMs: 500, recordUsage: false });
    expect(await client.authenticate(`Bearer ${good}`, { clientIp: '10.0.0.1', route: 'GET /x' })).toEqual(principal);
    expect(await client.authenticate(good)).toEqual(principal);
    expect(seen[0]).toEqual({ token: good, clientIp: '10.0.0.1', route: 'GET /x', recordUsage: false });
  });

  it('throws AuthUnauthorizedError for missing, malformed, revoked or unknown tokens (malformed ones without a call)', async () => {
    const { bus, seen } = setup();
    const client = createAuthClient({ bus });
    for (const [value, reason] of [
      [undefined, 'missing'],
      ['', 'missing'],
      ['Basic abc', 'malformed'],
      ['Bearer a.b', 'malformed'],
      [`Bearer ${'a'.repeat(3000)}.b.c`, 'malformed'],
      [`Bearer ${revoked}`, 'revoked'],
      ['Bearer x.y.z', 'unknown_token'],
    ] as const) {
      const err = await client.authenticate(value).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthUnauthorizedError);
      expect((err as AuthUnauthorizedError).status).toBe(401);
      expect((err as AuthUnauthorizedError).reason).toBe(reason);
    }
    expect(seen.map((s) => s.token)).toEqual([revoked, 'x.y.z']);
  });

  it('throws AuthUnavailableError when no token service answers (fails closed)', async () => {
    const client = createAuthClient({ bus: new MemoryBus(new MemoryHub(), 'none', logger), timeoutMs: 100 });
    const err = await client.authenticate(`Bearer ${good}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthUnavailableError);
    expect((err as AuthUnavailableError).status).toBe(503);
  });

  it('extractToken', () => {
    expect(extractToken(`bearer   ${good}`)).toBe(good);
    expect(extractToken('Bearer')).toBeUndefined();
  });
});
