import { Schema, type Connection, type Model } from 'mongoose';
import { claimModel, claimsOf, insertOne, modelOn, tryClaim, type ClaimDoc } from './mongo-shared.js';
import type { PendingRegistration, VerificationTokenRecord, VerificationTokenRepository } from './verification-token-repository.js';

interface VerificationTokenDoc {
  tokenHash: string;
  userId: string;
  expiresAt: Date;
  /** Denormalised copy of the claim's time, for people reading the database; the claim is the truth. */
  usedAt: Date | null;
  attempts: number;
  createdAt: Date;
  registration?: PendingRegistration | null;
}

/** Where a kind of single-use emailed token lives: its collection and the collection of its claims. */
export interface SingleUseTokenCollections {
  model: string;
  collection: string;
  claimModel: string;
  claimCollection: string;
}

export const verificationTokenCollections: SingleUseTokenCollections = {
  model: 'VerificationToken',
  collection: 'verification_tokens',
  claimModel: 'VerificationTokenClaim',
  claimCollection: 'verification_token_claims',
};

export const passwordResetTokenCollections: SingleUseTokenCollections = {
  model: 'PasswordResetToken',
  collection: 'password_reset_tokens',
  claimModel: 'PasswordResetTokenClaim',
  claimCollection: 'password_reset_token_claims',
};

function tokenSchema(collection: string): Schema<VerificationTokenDoc> {
  const schema = new Schema<VerificationTokenDoc>(
    {
      tokenHash: { type: String, required: true },
      userId: { type: String, required: true },
      // No TTL index (FerretDB refuses `expires`): expiry is enforced in code.
      expiresAt: { type: Date, required: true },
      usedAt: { type: Date, default: null },
      attempts: { type: Number, required: true, default: 0 },
      createdAt: { type: Date, required: true },
      registration: {
        type: new Schema<PendingRegistration>(
          {
            passwordHash: { type: String, required: true },
            firstName: { type: String, required: true },
            lastName: { type: String, required: true },
          },
          { _id: false, strict: 'throw' },
        ),
        default: null,
      },
    },
    { collection, versionKey: false, strict: 'throw' },
  );
  schema.index({ tokenHash: 1 }, { unique: true, name: 'token_hash_unique' });
  schema.index({ userId: 1 }, { name: 'user' });
  return schema;
}

const toRecord = (d: VerificationTokenDoc, claimedAt: Date | undefined): VerificationTokenRecord => ({
  tokenHash: d.tokenHash,
  userId: d.userId,
  expiresAt: new Date(d.expiresAt),
  usedAt: claimedAt ?? null,
  attempts: d.attempts,
  createdAt: new Date(d.createdAt),
  registration: d.registration
    ? { passwordHash: d.registration.passwordHash, firstName: d.registration.firstName, lastName: d.registration.lastName }
    : null,
});

export const verificationTokenModel = (
  connection: Connection,
  names: SingleUseTokenCollections = verificationTokenCollections,
): Model<VerificationTokenDoc> => modelOn(connection, names.model, tokenSchema(names.collection));

/**
 * Single-use emailed tokens: verification tokens in `verification_tokens` (password-reset tokens in
 * `password_reset_tokens`, same shape). Their single use is decided by inserting a claim
 * (`_id` = token hash) into `<collection>_claims`-style collections (see SingleUseTokenCollections).
 */
export class MongoVerificationTokenRepository implements VerificationTokenRepository {
  constructor(
    private readonly model: Model<VerificationTokenDoc>,
    private readonly claims: Model<ClaimDoc>,
  ) {}

  static on(connection: Connection, names: SingleUseTokenCollections = verificationTokenCollections): MongoVerificationTokenRepository {
    return new MongoVerificationTokenRepository(
      verificationTokenModel(connection, names),
      claimModel(connection, names.claimModel, names.claimCollection),
    );
  }

  async init(): Promise<void> {
    await Promise.all([this.model.init(), this.claims.init()]);
  }

  async create(token: VerificationTokenRecord): Promise<VerificationTokenRecord> {
    await insertOne(this.model, { ...token, usedAt: null, registration: token.registration ?? null }, { tokenHash: 'tokenHash' });
    if (token.usedAt) await tryClaim(this.claims, token.tokenHash, token.usedAt);
    return { ...token };
  }

  async findByHash(tokenHash: string): Promise<VerificationTokenRecord | null> {
    const d = await this.model.findOne({ tokenHash }).lean<VerificationTokenDoc>().exec();
    if (!d) return null;
    const claimed = await claimsOf(this.claims, [tokenHash]);
    return toRecord(d, claimed.get(tokenHash));
  }

  /** A counter for observability: on FerretDB concurrent increments may be lost (no atomic $inc there). */
  async recordAttempt(tokenHash: string): Promise<VerificationTokenRecord | null> {
    const d = await this.model
      .findOneAndUpdate({ tokenHash }, { $inc: { attempts: 1 } }, { returnDocument: 'after' })
      .lean<VerificationTokenDoc>()
      .exec();
    if (!d) return null;
    const claimed = await claimsOf(this.claims, [tokenHash]);
    return toRecord(d, claimed.get(tokenHash));
  }

  async markUsed(tokenHash: string, now: Date): Promise<VerificationTokenRecord | null> {
    const current = await this.findByHash(tokenHash);
    if (!current || current.usedAt || current.expiresAt.getTime() <= now.getTime()) return null;
    if (!(await tryClaim(this.claims, tokenHash, now))) return null;
    await this.model.updateOne({ tokenHash }, { $set: { usedAt: now } }).exec();
    return { ...current, usedAt: now };
  }

  async markAllUsedByUser(userId: string, now: Date): Promise<number> {
    const docs = await this.model.find({ userId }, { tokenHash: 1 }).lean<Pick<VerificationTokenDoc, 'tokenHash'>[]>().exec();
    let marked = 0;
    // One claim per token: a concurrent use of the same token either wins its claim or loses it here.
    for (const { tokenHash } of docs) {
      if (!(await tryClaim(this.claims, tokenHash, now))) continue;
      await this.model.updateOne({ tokenHash }, { $set: { usedAt: now } }).exec();
      marked++;
    }
    return marked;
  }

  async deleteByUser(userId: string): Promise<void> {
    const docs = await this.model.find({ userId }, { tokenHash: 1 }).lean<Pick<VerificationTokenDoc, 'tokenHash'>[]>().exec();
    const hashes = docs.map((d) => d.tokenHash);
    if (hashes.length === 0) return;
    await this.model.deleteMany({ tokenHash: { $in: hashes } }).exec();
    await this.claims.deleteMany({ _id: { $in: hashes } }).exec();
  }
}
