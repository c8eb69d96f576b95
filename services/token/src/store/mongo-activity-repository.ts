import { Schema, type Connection, type Model } from 'mongoose';
import type { ActivityEntity, ActivityRepository } from './activity-repository.js';
import { isOnlyDuplicateKeyErrors } from './mongo-errors.js';

export interface ActivityDocument {
  _id: string;
  businessId: string;
  tokenId: string;
  minute: Date;
  method: string;
  route: string;
  status: number;
  ip: string;
  count: number;
}

export const activitySchema = new Schema<ActivityDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    tokenId: { type: String, required: true },
    minute: { type: Date, required: true },
    method: { type: String, required: true },
    route: { type: String, required: true },
    status: { type: Number, required: true },
    ip: { type: String, required: true },
    count: { type: Number, required: true },
  },
  { collection: 'token_activity', versionKey: false, strict: 'throw' },
);
activitySchema.index({ tokenId: 1, minute: 1 });
activitySchema.index({ businessId: 1, minute: 1 });

export const activityModel = (connection: Connection): Model<ActivityDocument> =>
  (connection.models['TokenActivity'] as Model<ActivityDocument> | undefined) ??
  connection.model<ActivityDocument>('TokenActivity', activitySchema);

/** Token activity in MongoDB: insert-only documents, one per aggregate entry of a usage event. */
export class MongoActivityRepository implements ActivityRepository {
  constructor(private readonly model: Model<ActivityDocument>) {}

  async insert(entries: readonly ActivityEntity[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.model.insertMany(
        entries.map(({ id, ...rest }) => ({ _id: id, ...rest })),
        { ordered: false },
      );
    } catch (err) {
      // A redelivered event: its entries are stored already.
      if (!isOnlyDuplicateKeyErrors(err)) throw err;
    }
  }

  async query(businessId: string, tokenId: string, from: Date, to: Date): Promise<ActivityEntity[]> {
    const docs = await this.model
      .find({ tokenId, businessId, minute: { $gte: from, $lt: to } })
      .sort({ minute: 1 })
      .lean<ActivityDocument[]>()
      .exec();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  async queryBusinessStatus(businessId: string, status: number, from: Date, to: Date): Promise<ActivityEntity[]> {
    const docs = await this.model
      .find({ businessId, minute: { $gte: from, $lt: to }, status })
      .lean<ActivityDocument[]>()
      .exec();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }

  async queryTokens(businessId: string, tokenIds: readonly string[], from: Date, to: Date): Promise<ActivityEntity[]> {
    if (tokenIds.length === 0) return [];
    const docs = await this.model
      .find({ businessId, minute: { $gte: from, $lt: to }, tokenId: { $in: [...tokenIds] } })
      .lean<ActivityDocument[]>()
      .exec();
    return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
  }
}
