import { auditOrder, isBefore, type AuditEntity, type AuditPage, type AuditQuery, type AuditRepository } from './audit-repository.js';

const copy = (r: AuditEntity): AuditEntity => ({ ...r, at: new Date(r.at), details: r.details && { ...r.details } });

/** In-memory audit trail (embedded mode and tests). */
export class MemoryAuditRepository implements AuditRepository {
  private readonly records: AuditEntity[] = [];
  private readonly keys = new Set<string>();

  async append(records: readonly AuditEntity[]): Promise<void> {
    for (const record of records) {
      if (this.keys.has(record.dedupeKey)) continue;
      this.keys.add(record.dedupeKey);
      this.records.push(copy(record));
    }
  }

  async list(businessId: string, query: AuditQuery): Promise<AuditPage> {
    const matching = this.records
      .filter((r) => r.businessId === businessId && (query.tokenId === undefined || r.tokenId === query.tokenId))
      .filter((r) => !query.before || isBefore(r, query.before))
      .sort(auditOrder);
    const page = matching.slice(0, query.limit).map(copy);
    const last = page[page.length - 1];
    return { records: page, next: matching.length > query.limit && last ? { at: last.at, id: last.id } : null };
  }
}
