import type { RequestMeta, TokenContext } from './context.js';

/**
 * The business owners' addresses for a security notice. Best effort: when identity cannot
 * answer, the action (create, revoke, rotate) still happens and the event is published with
 * no recipients; the failure is logged (the audit trail keeps the record either way).
 */
export async function ownerEmails(ctx: TokenContext, businessId: string, meta: RequestMeta): Promise<string[]> {
  try {
    const reply = await ctx.bus.request('identity.listOwners', { businessId }, { timeoutMs: ctx.config.identityTimeoutMs, requestId: meta.requestId });
    return reply.owners.map((o) => o.email);
  } catch (err) {
    meta.logger.error({ err, businessId }, 'could not resolve the owners to notify; security notice has no recipients');
    return [];
  }
}
