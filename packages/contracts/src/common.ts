import { z } from 'zod';

/** Prefixed, time-sortable ids: `usr_…`, `biz_…`, `tok_…`, `ses_…`, `evt_…`. */
export const idPrefixes = ['usr', 'biz', 'tok', 'ses', 'evt', 'inv', 'req'] as const;
export type IdPrefix = (typeof idPrefixes)[number];
export const idSchema = (prefix: IdPrefix) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `Expected a ${prefix}_ id`);

export const UserId = idSchema('usr');
export const BusinessId = idSchema('biz');
export const TokenId = idSchema('tok');
export const SessionId = idSchema('ses');
export const EventId = idSchema('evt');

/** Email: trimmed, lower-cased (local part and domain), syntax-checked, at most 254 characters. */
export const Email = z
  .string({ error: 'Email is required' })
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .pipe(z.email({ error: 'Email is not a valid address' }));

export const Role = z.enum(['owner', 'admin', 'developer', 'viewer']);
export type Role = z.infer<typeof Role>;

/** Roles that may create, list and revoke API tokens. */
export const tokenManagerRoles: readonly Role[] = ['owner', 'admin', 'developer'];

export const IsoDate = z.iso.datetime({ offset: true });

export const Password = z
  .string({ error: 'Password is required' })
  .min(8, 'Password must be at least 8 characters')
  .max(128, 'Password must be at most 128 characters');

/**
 * Control characters (NUL, CR/LF, …) and bidirectional overrides/isolates: in a name they only
 * serve to forge email lines or reorder text in what others read.
 */
const UNSAFE_NAME_CHARS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export const PersonName = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(100, `${label} must be at most 100 characters`)
    .refine((name) => !UNSAFE_NAME_CHARS.test(name), `${label} must not contain control or text-direction characters`);
