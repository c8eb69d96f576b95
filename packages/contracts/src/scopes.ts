import { z } from 'zod';
import type { Role } from './common.js';

/**
 * API token scopes: the closed list of permissions a token can carry on the business API
 * (`/api/v1/*` behind the edge). `*` is full API access, the default.
 *
 * Each scope allows some methods on one path prefix (matched per path segment, case-insensitively,
 * on the normalised path the edge forwards). A path that no scope names needs `*`.
 */
export const API_SCOPES = ['orders:read', 'orders:write', 'echo:read', 'echo:write', 'billing:read', 'billing:write'] as const;
export const FULL_ACCESS_SCOPE = '*';

export const ApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ApiScope>;
/** A scope a token may carry: a named scope or `*`. */
export const TokenScope = z.enum([FULL_ACCESS_SCOPE, ...API_SCOPES], {
  error: `Unknown scope; use ${FULL_ACCESS_SCOPE} or one of ${API_SCOPES.join(', ')}`,
});
export type TokenScope = z.infer<typeof TokenScope>;

const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export interface ScopeRule {
  /** HTTP methods (upper case) this scope allows. */
  methods: readonly string[];
  /** Path prefix on the business API, e.g. `/api/v1/Orders`. */
  pathPrefix: string;
  /** The least role that may mint a token carrying this scope. */
  minRole: Role;
}

/** scope → allowed method + path prefix, and who may grant it. */
export const scopeRules: Record<ApiScope, ScopeRule> = {
  'orders:read': { methods: READ_METHODS, pathPrefix: '/api/v1/Orders', minRole: 'developer' },
  'orders:write': { methods: WRITE_METHODS, pathPrefix: '/api/v1/Orders', minRole: 'developer' },
  'echo:read': { methods: READ_METHODS, pathPrefix: '/api/v1/Echo', minRole: 'developer' },
  'echo:write': { methods: WRITE_METHODS, pathPrefix: '/api/v1/Echo', minRole: 'developer' },
  'billing:read': { methods: READ_METHODS, pathPrefix: '/api/v1/Billing', minRole: 'admin' },
  'billing:write': { methods: WRITE_METHODS, pathPrefix: '/api/v1/Billing', minRole: 'admin' },
};

/** `*` can reach every path, including admin-only ones, so only owners and admins can grant it. */
export const FULL_ACCESS_MIN_ROLE: Role = 'admin';

const roleRank: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };
export const roleAtLeast = (role: Role, min: Role): boolean => roleRank[role] >= roleRank[min];

const minRoleOf = (scope: TokenScope): Role => (scope === FULL_ACCESS_SCOPE ? FULL_ACCESS_MIN_ROLE : scopeRules[scope].minRole);

/** The scopes in `scopes` that `role` may not grant (empty when all are allowed). */
export function scopesBeyondRole(scopes: readonly TokenScope[], role: Role): TokenScope[] {
  return scopes.filter((s) => !roleAtLeast(role, minRoleOf(s)));
}

/**
 * The scopes a token gets when the creator names none: `*` for owners and admins; for a
 * developer, every named scope its role may grant (full access within the role).
 */
export function defaultScopesForRole(role: Role): TokenScope[] {
  if (roleAtLeast(role, FULL_ACCESS_MIN_ROLE)) return [FULL_ACCESS_SCOPE];
  return API_SCOPES.filter((s) => roleAtLeast(role, scopeRules[s].minRole));
}

/** Sorted, without duplicates; `*` absorbs every other scope. */
export function normaliseScopes(scopes: readonly TokenScope[]): TokenScope[] {
  if (scopes.includes(FULL_ACCESS_SCOPE)) return [FULL_ACCESS_SCOPE];
  return [...new Set(scopes)].sort();
}

const underPrefix = (path: string, prefix: string): boolean => {
  const p = path.toLowerCase();
  const x = prefix.toLowerCase();
  return p === x || p.startsWith(`${x}/`);
};

/** The named scopes that allow `method` on `path` (a normalised pathname, no query). */
export function scopesFor(method: string, path: string): ApiScope[] {
  const m = method.toUpperCase();
  return API_SCOPES.filter((s) => scopeRules[s].methods.includes(m) && underPrefix(path, scopeRules[s].pathPrefix));
}

/** Whether a token with `scopes` may call `method path`. Paths no scope names need `*`. */
export function scopesAllow(scopes: readonly string[], method: string, path: string): boolean {
  if (scopes.includes(FULL_ACCESS_SCOPE)) return true;
  return scopesFor(method, path).some((s) => scopes.includes(s));
}
