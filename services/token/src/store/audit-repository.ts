import type { AuditAction } from '@dispatch/contracts';

/** One audit record as stored (insert-only). */
export interface AuditEntity {
  /** Time-sortable id (`aud_…`). */
  id: string;
  businessId: string;
  tokenId: string;
  action: AuditAction;
  actorType: 'user' | 'token' | 'system';
  actorId: string | null;
  at: Date;
  clientIp: string | null;
  route: string | null;
  /** Attempts folded into this record (1 for management actions). */
  count: number;
  details: Record<string, unknown> | null;
  /** Records with the same key are stored once (e.g. `expired:<tokenId>`); defaults to the id. */
  dedupeKey: string;
}

export interface AuditPage {
  records: AuditEntity[];
  /** Where the next page starts (the last record's position), or null at the end. */
  next: { at: Date; id: string } | null;
}

export interface AuditQuery {
  tokenId?: string;
  limit: number;
  /** Records strictly older than this position (newest first: at desc, id desc). */
  before?: { at: Date; id: string };
}

/** The port for the audit trail: append-only; reads are per business, newest first. */
export interface AuditRepository {
  /** Inserts records; one whose dedupeKey is already stored is skipped silently. */
  append(records: readonly AuditEntity[]): Promise<void>;
  list(businessId: string, query: AuditQuery): Promise<AuditPage>;
}

/** Newest first: `at` descending, then id descending. */
export const auditOrder = (a: AuditEntity, b: AuditEntity): number =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export const isBefore = (r: Pick<AuditEntity, 'at' | 'id'>, pos: { at: Date; id: string }): boolean =>
  r.at.getTime() < pos.at.getTime() || (r.at.getTime() === pos.at.getTime() && r.id < pos.id);
