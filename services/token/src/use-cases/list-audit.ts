import { errors, type AuditRecord, type ListAuditReply, type ListAuditRequest } from '@dispatch/contracts';
import type { AuditEntity } from '../store/audit-repository.js';
import type { TokenContext } from './context.js';

/** Cursors are opaque to clients: base64url of `<at ISO>|<id>` of the last record returned. */
export const encodeCursor = (pos: { at: Date; id: string }): string => Buffer.from(`${pos.at.toISOString()}|${pos.id}`, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const bad = () => errors.validation('Request query is invalid', { fields: { cursor: 'cursor is not one this API returned' } });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const [iso, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (rest.length > 0 || !id || !/^aud_[0-9a-z]{26}$/.test(id) || Number.isNaN(at.getTime())) throw bad();
  return { at, id };
}

export const toAuditRecord = (r: AuditEntity): AuditRecord => ({
  id: r.id,
  at: r.at.toISOString(),
  action: r.action,
  tokenId: r.tokenId as AuditRecord['tokenId'],
  actor: { type: r.actorType, id: r.actorId },
  clientIp: r.clientIp,
  route: r.route,
  count: r.count,
  ...(r.details ? { details: r.details } : {}),
});

/** token.listAudit: the business's audit trail (optionally of one token), newest first, paginated. */
export async function listAudit(ctx: TokenContext, request: ListAuditRequest): Promise<ListAuditReply> {
  const before = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  const page = await ctx.audit.list(request.businessId, {
    limit: request.limit,
    ...(request.tokenId !== undefined ? { tokenId: request.tokenId } : {}),
    ...(before ? { before } : {}),
  });
  return { records: page.records.map(toAuditRecord), nextCursor: page.next ? encodeCursor(page.next) : null };
}
