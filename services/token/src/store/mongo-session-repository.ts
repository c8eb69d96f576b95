import { Schema, type Connection, type Model } from 'mongoose';
import { DispatchError, Role } from '@dispatch/contracts';
import type { SessionEntity, SessionRepository } from './session-repository.js';
import { isDuplicateKeyError } from './mongo-errors.js';

export interface SessionDocument {
  _id: string;
  userId: string;
  businessId: string;
  role: SessionEntity['role'];
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** No TTL index (FerretDB): expiry is checked in code and expired sessions are purged by a job. */
export const sessionSchema = new Schema<SessionDocument>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    businessId: { type: String, required: true },
    role: { type: String, required: true, enum: Role.options },
    tokenHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'sessions', versionKey: false, strict: 'throw' },
);
sessionSchema.index({ expiresAt: 1 });
sessionSchema.index({ userId: 1, createdAt: -1 }, { name: 'user_sessions' });

export const SESSION_MODEL = 'Session';

export function sessionModel(connection: Connection): Model<SessionDocument> {
  const existing = connection.models[SESSION_MODEL] as Model<SessionDocument> | undefined;
  return existing ?? connection.model<SessionDocument>(SESSION_MODEL, sessionSchema);
}

const toEntity = (d: SessionDocument): SessionEntity => ({
  id: d._id,
  userId: d.userId,
  businessId: d.businessId,
  role: d.role,
  tokenHash: d.tokenHash,
  createdAt: d.createdAt,
  expiresAt: d.expiresAt,
  revokedAt: d.revokedAt ?? null,
});

/** Sessions in MongoDB (mesh mode). */
export class MongoSessionRepository implements SessionRepository {
  constructor(private readonly model: Model<SessionDocument>) {}

  async create(session: SessionEntity): Promise<void> {
    try {
      await this.model.create({
        _id: session.id,
        userId: session.userId,
        businessId: session.businessId,
        role: session.role,
        tokenHash: session.tokenHash,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        revokedAt: session.revokedAt,
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DispatchError('CONFLICT', 'Session already exists');
      throw err;
    }
  }

  async get(businessId: string, id: string): Promise<SessionEntity | null> {
    const doc = await this.model.findOne({ _id: id, businessId }).lean<SessionDocument>().exec();
    return doc ? toEntity(doc) : null;
  }

  async revoke(userId: string, id: string, at: Date): Promise<SessionEntity | null> {
    const updated = await this.model
      .findOneAndUpdate({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: at } }, { new: true })
      .lean<SessionDocument>()
      .exec();
    if (updated) return toEntity(updated);
    const current = await this.model.findOne({ _id: id, userId }).lean<SessionDocument>().exec();
    return current ? toEntity(current) : null;
  }

  async listActiveByUser(userId: string, now: Date): Promise<SessionEntity[]> {
    const docs = await this.model
      .find({ userId, revokedAt: null, expiresAt: { $gt: now } })
      .sort({ createdAt: -1, _id: -1 })
      .lean<SessionDocument[]>()
      .exec();
    return docs.map(toEntity);
  }

  async revokeAllForUser(userId: string, at: Date, exceptId?: string): Promise<number> {
    // Only revokedAt is written, and only on sessions that have none yet: a concurrent single
    // revoke of the same session writes the same field, so neither can undo the other's effect.
    const filter: Record<string, unknown> = { userId, revokedAt: null, expiresAt: { $gt: at } };
    if (exceptId !== undefined) filter['_id'] = { $ne: exceptId };
    const result = await this.model.updateMany(filter, { $set: { revokedAt: at } }).exec();
    return result.modifiedCount;
  }

  async deleteExpired(before: Date): Promise<number> {
    const result = await this.model.deleteMany({ expiresAt: { $lt: before } }).exec();
    return result.deletedCount;
  }
}
