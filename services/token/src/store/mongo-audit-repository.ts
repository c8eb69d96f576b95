import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditAction } from '@dispatch/contracts';
import type { AuditEntity, AuditPage, AuditQuery, AuditRepository } from './audit-repository.js';
import { isOnlyDuplicateKeyErrors } from './mongo-errors.js';

export interface AuditDocument {
  _id: string;
  businessId: string;
  tokenId: string;
  action: AuditAction;
  actorType: 'user' | 'token' | 'system';
  actorId: string | null;
  at: Date;
  clientIp: string | null;
  route: string | null;
  count: number;
  details: Record<string, unknown> | null;
  dedupeKey: string;
}

export const auditSchema = new Schema<AuditDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    tokenId: { type: String, required: true },
    action: { type: String, required: true },
    actorType: { type: String, required: true },
    actorId: { type: String, default: null },
    at: { type: Date, required: true },
    clientIp: { type: String, default: null },
    route: { type: String, default: null },
    count: { type: Number, required: true },
    details: { type: Schema.Types.Mixed, default: null },
    // Required and unique (never optional: FerretDB ignores `sparse`).
    dedupeKey: { type: String, required: true, unique: true },
  },
  { collection: 'audit_records', versionKey: false, strict: 'throw', minimize: false },
);
auditSchema.index({ businessId: 1, at: -1, _id: -1 });
auditSchema.index({ businessId: 1, tokenId: 1, at: -1 });

export const auditModel = (connection: Connection): Model<AuditDocument> =>
  (connection.models['AuditRecord'] as Model<AuditDocument> | undefined) ?? connection.model<AuditDocument>('AuditRecord', auditSchema);

const toEntity = (d: AuditDocument): AuditEntity => ({
  id: d._id,
  businessId: d.businessId,
  tokenId: d.tokenId,
  action: d.action,
  actorType: d.actorType,
  actorId: d.actorId ?? null,
  at: d.at,
  clientIp: d.clientIp ?? null,
  route: d.route ?? null,
  count: d.count,
  details: d.details ?? null,
  dedupeKey: d.dedupeKey,
});

/** The audit trail in MongoDB: insert-only, deduplicated by a unique key. */
export class MongoAuditRepository implements AuditRepository {
  constructor(private readonly model: Model<AuditDocument>) {}

  async append(records: readonly AuditEntity[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map(({ id, ...rest }) => ({ _id: id, ...rest }));
    try {
      await this.model.insertMany(docs, { ordered: false });
    } catch (err) {
      // Records already stored (same dedupeKey) are skipped; anything else is a failure.
      if (!isOnlyDuplicateKeyErrors(err)) throw err;
    }
  }

  async list(businessId: string, query: AuditQuery): Promise<AuditPage> {
    const filter: Record<string, unknown> = { businessId };
    if (query.tokenId !== undefined) filter['tokenId'] = query.tokenId;
    if (query.before) {
      filter['$or'] = [{ at: { $lt: query.before.at } }, { at: query.before.at, _id: { $lt: query.before.id } }];
    }
    const docs = await this.model
      .find(filter)
      .sort({ at: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<AuditDocument[]>()
      .exec();
    const page = docs.slice(0, query.limit).map(toEntity);
    const last = page[page.length - 1];
    return { records: page, next: docs.length > query.limit && last ? { at: last.at, id: last.id } : null };
  }
}
