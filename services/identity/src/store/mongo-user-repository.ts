import { Role } from '@dispatch/contracts';
import { Schema, type Connection, type Model } from 'mongoose';
import { insertOne, modelOn } from './mongo-shared.js';
import type { UserRecord, UserRepository } from './user-repository.js';

interface UserDoc {
  _id: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  emailVerified: boolean;
  businessId: string;
  role: Role;
  createdAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    emailVerified: { type: Boolean, required: true },
    businessId: { type: String, required: true },
    role: { type: String, required: true, enum: Role.options },
    createdAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false, strict: 'throw' },
);
// Email is required on every document, so a plain unique index is safe on FerretDB (no sparse/partial needed).
userSchema.index({ email: 1 }, { unique: true, name: 'email_unique' });
userSchema.index({ businessId: 1, createdAt: 1 }, { name: 'business_members' });

const toRecord = (d: UserDoc): UserRecord => ({
  id: d._id,
  email: d.email,
  passwordHash: d.passwordHash,
  firstName: d.firstName,
  lastName: d.lastName,
  emailVerified: d.emailVerified,
  businessId: d.businessId,
  role: d.role,
  createdAt: new Date(d.createdAt),
});

export const userModel = (connection: Connection): Model<UserDoc> => modelOn(connection, 'User', userSchema);

export class MongoUserRepository implements UserRepository {
  constructor(private readonly model: Model<UserDoc>) {}

  static on(connection: Connection): MongoUserRepository {
    return new MongoUserRepository(userModel(connection));
  }

  /** Builds the collection and its indexes (the unique email index must exist before the first write). */
  async init(): Promise<void> {
    await this.model.init();
  }

  async create(user: UserRecord): Promise<UserRecord> {
    const { id, ...rest } = user;
    await insertOne(this.model, { _id: id, ...rest }, { email: 'email', _id: 'id' });
    return { ...user };
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ email }).lean<UserDoc>().exec();
    return d ? toRecord(d) : null;
  }

  async findById(id: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ _id: id }).lean<UserDoc>().exec();
    return d ? toRecord(d) : null;
  }

  async findInBusiness(businessId: string, userId: string): Promise<UserRecord | null> {
    const d = await this.model.findOne({ _id: userId, businessId }).lean<UserDoc>().exec();
    return d ? toRecord(d) : null;
  }

  async listByBusiness(businessId: string): Promise<UserRecord[]> {
    const docs = await this.model.find({ businessId }).sort({ createdAt: 1, _id: 1 }).lean<UserDoc[]>().exec();
    return docs.map(toRecord);
  }

  async markEmailVerified(id: string): Promise<UserRecord | null> {
    const d = await this.model
      .findOneAndUpdate({ _id: id }, { $set: { emailVerified: true } }, { returnDocument: 'after' })
      .lean<UserDoc>()
      .exec();
    return d ? toRecord(d) : null;
  }

  async applyRegistration(id: string, registration: { passwordHash: string; firstName: string; lastName: string }): Promise<void> {
    const { passwordHash, firstName, lastName } = registration;
    await this.model.updateOne({ _id: id }, { $set: { passwordHash, firstName, lastName } }).exec();
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { passwordHash } }).exec();
  }

  async delete(id: string): Promise<void> {
    await this.model.deleteOne({ _id: id }).exec();
  }
}
