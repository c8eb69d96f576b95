import { Schema, type Connection, type Model } from 'mongoose';
import type { BusinessRecord, BusinessRepository } from './business-repository.js';
import { insertOne, modelOn } from './mongo-shared.js';

interface BusinessDoc {
  _id: string;
  name: string;
  ownerId: string;
  createdAt: Date;
}

const businessSchema = new Schema<BusinessDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    ownerId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'businesses', versionKey: false, strict: 'throw' },
);
businessSchema.index({ ownerId: 1 }, { name: 'owner' });

const toRecord = (d: BusinessDoc): BusinessRecord => ({ id: d._id, name: d.name, ownerId: d.ownerId, createdAt: new Date(d.createdAt) });

export const businessModel = (connection: Connection): Model<BusinessDoc> => modelOn(connection, 'Business', businessSchema);

export class MongoBusinessRepository implements BusinessRepository {
  constructor(private readonly model: Model<BusinessDoc>) {}

  static on(connection: Connection): MongoBusinessRepository {
    return new MongoBusinessRepository(businessModel(connection));
  }

  async init(): Promise<void> {
    await this.model.init();
  }

  async create(business: BusinessRecord): Promise<BusinessRecord> {
    const { id, ...rest } = business;
    await insertOne(this.model, { _id: id, ...rest }, { _id: 'id' });
    return { ...business };
  }

  async findById(businessId: string): Promise<BusinessRecord | null> {
    const d = await this.model.findOne({ _id: businessId }).lean<BusinessDoc>().exec();
    return d ? toRecord(d) : null;
  }

  async delete(businessId: string): Promise<void> {
    await this.model.deleteOne({ _id: businessId }).exec();
  }
}
