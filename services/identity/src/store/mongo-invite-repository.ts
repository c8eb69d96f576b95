import { Role } from '@dispatch/contracts';
import { Schema, type Connection, type Model } from 'mongoose';
import type { InviteRecord, InviteRepository } from './invite-repository.js';
import { claimModel, claimsOf, insertOne, modelOn, tryClaim, type ClaimDoc } from './mongo-shared.js';

interface InviteDoc {
  _id: string;
  tokenHash: string;
  businessId: string;
  email: string;
  role: Role;
  invitedBy: string;
  expiresAt: Date;
  /** Denormalised copy of the claim's time, for people reading the database; the claim is the truth. */
  usedAt: Date | null;
  createdAt: Date;
}

const inviteSchema = new Schema<InviteDoc>(
  {
    _id: { type: String, required: true },
    tokenHash: { type: String, required: true },
    businessId: { type: String, required: true },
    email: { type: String, required: true },
    role: { type: String, required: true, enum: Role.options },
    invitedBy: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'invites', versionKey: false, strict: 'throw' },
);
inviteSchema.index({ tokenHash: 1 }, { unique: true, name: 'token_hash_unique' });
inviteSchema.index({ businessId: 1, createdAt: 1 }, { name: 'business_invites' });

const toRecord = (d: InviteDoc, claimedAt: Date | undefined): InviteRecord => ({
  id: d._id,
  tokenHash: d.tokenHash,
  businessId: d.businessId,
  email: d.email,
  role: d.role,
  invitedBy: d.invitedBy,
  expiresAt: new Date(d.expiresAt),
  usedAt: claimedAt ?? null,
  createdAt: new Date(d.createdAt),
});

export const inviteModel = (connection: Connection): Model<InviteDoc> => modelOn(connection, 'Invite', inviteSchema);

/** Invites in `invites`; their single use is decided by inserting a claim (`_id` = invite id) into `invite_claims`. */
export class MongoInviteRepository implements InviteRepository {
  constructor(
    private readonly model: Model<InviteDoc>,
    private readonly claims: Model<ClaimDoc>,
  ) {}

  static on(connection: Connection): MongoInviteRepository {
    return new MongoInviteRepository(inviteModel(connection), claimModel(connection, 'InviteClaim', 'invite_claims'));
  }

  async init(): Promise<void> {
    await Promise.all([this.model.init(), this.claims.init()]);
  }

  async create(invite: InviteRecord): Promise<InviteRecord> {
    const { id, ...rest } = invite;
    await insertOne(this.model, { _id: id, ...rest, usedAt: null }, { tokenHash: 'tokenHash', _id: 'id' });
    if (invite.usedAt) await tryClaim(this.claims, id, invite.usedAt);
    return { ...invite };
  }

  async findByTokenHash(tokenHash: string): Promise<InviteRecord | null> {
    return this.withClaim(await this.model.findOne({ tokenHash }).lean<InviteDoc>().exec());
  }

  async findInBusiness(businessId: string, inviteId: string): Promise<InviteRecord | null> {
    return this.withClaim(await this.model.findOne({ _id: inviteId, businessId }).lean<InviteDoc>().exec());
  }

  async listByBusiness(businessId: string): Promise<InviteRecord[]> {
    const docs = await this.model.find({ businessId }).sort({ createdAt: 1, _id: 1 }).lean<InviteDoc[]>().exec();
    const claimed = await claimsOf(
      this.claims,
      docs.map((d) => d._id),
    );
    return docs.map((d) => toRecord(d, claimed.get(d._id)));
  }

  async markUsed(inviteId: string, now: Date): Promise<InviteRecord | null> {
    const current = await this.withClaim(await this.model.findOne({ _id: inviteId }).lean<InviteDoc>().exec());
    if (!current || current.usedAt || current.expiresAt.getTime() <= now.getTime()) return null;
    if (!(await tryClaim(this.claims, inviteId, now))) return null;
    await this.model.updateOne({ _id: inviteId }, { $set: { usedAt: now } }).exec();
    return { ...current, usedAt: now };
  }

  async releaseUse(inviteId: string, usedAt: Date): Promise<void> {
    const released = await this.claims.deleteOne({ _id: inviteId, usedAt }).exec();
    if (released.deletedCount > 0) await this.model.updateOne({ _id: inviteId }, { $set: { usedAt: null } }).exec();
  }

  async delete(inviteId: string): Promise<void> {
    await this.model.deleteOne({ _id: inviteId }).exec();
    await this.claims.deleteOne({ _id: inviteId }).exec();
  }

  private async withClaim(d: InviteDoc | null): Promise<InviteRecord | null> {
    if (!d) return null;
    const claimed = await claimsOf(this.claims, [d._id]);
    return toRecord(d, claimed.get(d._id));
  }
}
