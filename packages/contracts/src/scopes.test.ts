import { describe, expect, it } from 'vitest';
import {
  API_SCOPES,
  AuditQuery,
  CreateTokenBody,
  RevokeTokenBody,
  RotateTokenBody,
  TokenScope,
  defaultScopesForRole,
  normaliseScopes,
  scopesAllow,
  scopesBeyondRole,
  scopesFor,
  validationDetails,
} from './index.js';

describe('scopes', () => {
  it('maps method + path prefix to scopes, per path segment and case-insensitively', () => {
    expect(scopesFor('GET', '/api/v1/Orders')).toEqual(['orders:read']);
    expect(scopesFor('get', '/api/v1/orders/ord_1')).toEqual(['orders:read']);
    expect(scopesFor('POST', '/api/v1/Orders')).toEqual(['orders:write']);
    expect(scopesFor('GET', '/api/v1/OrdersExport')).toEqual([]);
    expect(scopesFor('GET', '/api/v1/Unknown')).toEqual([]);
  });

  it('allows a call only inside the scopes; * allows everything', () => {
    expect(scopesAllow(['orders:read'], 'GET', '/api/v1/Orders')).toBe(true);
    expect(scopesAllow(['orders:read'], 'POST', '/api/v1/Orders')).toBe(false);
    expect(scopesAllow(['orders:read'], 'GET', '/api/v1/Echo')).toBe(false);
    expect(scopesAllow(['orders:read'], 'GET', '/api/v1/Unknown')).toBe(false);
    expect(scopesAllow(['*'], 'DELETE', '/api/v1/Anything')).toBe(true);
    expect(scopesAllow([], 'GET', '/api/v1/Orders')).toBe(false);
  });

  it('never lets a role grant more than it may', () => {
    expect(scopesBeyondRole(['*'], 'developer')).toEqual(['*']);
    expect(scopesBeyondRole(['billing:read', 'orders:read'], 'developer')).toEqual(['billing:read']);
    expect(scopesBeyondRole(['*', 'billing:write'], 'admin')).toEqual([]);
    expect(scopesBeyondRole(['orders:read'], 'viewer')).toEqual(['orders:read']);
    expect(defaultScopesForRole('owner')).toEqual(['*']);
    const dev = defaultScopesForRole('developer');
    expect(dev).not.toContain('*');
    expect(dev).not.toContain('billing:read');
    expect(scopesBeyondRole(dev, 'developer')).toEqual([]);
  });

  it('normalises: sorted, unique, * absorbs the rest', () => {
    expect(normaliseScopes(['orders:write', 'orders:read', 'orders:write'])).toEqual(['orders:read', 'orders:write']);
    expect(normaliseScopes(['orders:read', '*'])).toEqual(['*']);
  });

  it('is a closed list', () => {
    expect(TokenScope.safeParse('orders:delete').success).toBe(false);
    for (const s of API_SCOPES) expect(TokenScope.safeParse(s).success).toBe(true);
  });
});

const fields = (result: { success: boolean; error?: { issues: unknown[] } }) => {
  expect(result.success).toBe(false);
  return (validationDetails((result.error?.issues ?? []) as Parameters<typeof validationDetails>[0]) as { fields: Record<string, string> }).fields;
};

describe('token management bodies', () => {
  it('CreateTokenBody: expiresAt in the future, known scopes, at least one', () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(CreateTokenBody.parse({ description: ' x ', expiresAt: future, scopes: ['orders:read'] })).toEqual({
      description: 'x',
      expiresAt: future,
      scopes: ['orders:read'],
    });
    expect(fields(CreateTokenBody.safeParse({ description: 'x', expiresAt: '2001-01-01T00:00:00Z' })).expiresAt).toBe(
      'expiresAt must be in the future',
    );
    expect(fields(CreateTokenBody.safeParse({ description: 'x', expiresAt: 'tomorrow' }))).toHaveProperty('expiresAt');
    expect(fields(CreateTokenBody.safeParse({ description: 'x', scopes: ['orders:delete'] }))).toHaveProperty('scopes.0');
    expect(fields(CreateTokenBody.safeParse({ description: 'x', scopes: [] }))).toHaveProperty('scopes');
    expect(fields(CreateTokenBody.safeParse({ description: '   ' })).description).toBe('Description is required');
    expect(fields(CreateTokenBody.safeParse({ description: 'x'.repeat(101) })).description).toBe('Description must be at most 100 characters');
  });

  it('RevokeTokenBody and RotateTokenBody', () => {
    expect(RevokeTokenBody.parse({})).toEqual({});
    expect(RevokeTokenBody.parse({ reason: ' leaked ' })).toEqual({ reason: 'leaked' });
    expect(fields(RevokeTokenBody.safeParse({ reason: '' }))).toHaveProperty('reason');
    expect(RotateTokenBody.parse({})).toEqual({ gracePeriodSeconds: 86_400 });
    expect(RotateTokenBody.parse({ gracePeriodSeconds: 0 })).toEqual({ gracePeriodSeconds: 0 });
    expect(fields(RotateTokenBody.safeParse({ gracePeriodSeconds: 7 * 86_400 + 1 }))).toHaveProperty('gracePeriodSeconds');
    expect(fields(RotateTokenBody.safeParse({ gracePeriodSeconds: -1 }))).toHaveProperty('gracePeriodSeconds');
  });

  it('AuditQuery coerces limit and checks the token id', () => {
    expect(AuditQuery.parse({ limit: '10' })).toEqual({ limit: 10 });
    expect(AuditQuery.parse({})).toEqual({ limit: 50 });
    expect(fields(AuditQuery.safeParse({ limit: '0' }))).toHaveProperty('limit');
    expect(fields(AuditQuery.safeParse({ tokenId: 'tok_bad' }))).toHaveProperty('tokenId');
  });
});
