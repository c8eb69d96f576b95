import type { AuditAction } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import type { AuditEntity } from '../store/audit-repository.js';
import type { RequestMeta, TokenContext } from './context.js';

export interface AuditInput {
  businessId: string;
  tokenId: string;
  action: AuditAction;
  actor: { type: 'user' | 'token' | 'system'; id: string | null };
  at: Date;
  clientIp?: string | undefined;
  route?: string | null;
  details?: Record<string, unknown>;
  /** Stored once per key (e.g. `expired:<tokenId>`). */
  dedupeKey?: string;
}

export function auditEntity(input: AuditInput): AuditEntity {
  const id = newId('aud');
  return {
    id,
    businessId: input.businessId,
    tokenId: input.tokenId,
    action: input.action,
    actorType: input.actor.type,
    actorId: input.actor.id,
    at: input.at,
    clientIp: input.clientIp ?? null,
    route: input.route ?? null,
    count: 1,
    details: input.details ?? null,
    dedupeKey: input.dedupeKey ?? id,
  };
}

/**
 * Appends an audit record for a management action that has already happened. A failure is
 * logged loudly but does not undo the action (a revocation must never fail for the audit).
 */
export async function audit(ctx: TokenContext, input: AuditInput, meta: RequestMeta): Promise<void> {
  try {
    await ctx.audit.append([auditEntity(input)]);
  } catch (err) {
    meta.logger.error({ err, tokenId: input.tokenId, action: input.action }, 'audit record not written');
  }
}
