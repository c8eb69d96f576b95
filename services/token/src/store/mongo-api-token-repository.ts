import { Schema, type Connection, type Model } from 'mongoose';
import { DispatchError } from '@dispatch/contracts';
import type { ApiTokenCredential, ApiTokenEntity, ApiTokenRepository, LastUse, RevokeResult } from './api-token-repository.js';
import { isDuplicateKeyError } from './mongo-errors.js';

/*
 * Three collections, because FerretDB 1.24 runs every update (findAndModify included) as
 * "read the document, change it in Go, write the whole document back by _id", with no
 * compare-and-set. So:
 *  - `api_tokens` is written only by create and revoke, and revoke only ever writes the values
 *    recorded in `api_token_revocations`, so concurrent writers write the same values;
 *  - `api_token_revocations` (_id = token id) decides the first revocation with the only
 *    atomic guard FerretDB has: the unique _id of an insert;
 *  - `api_token_usage` holds lastUsedAt, so a usage flush can never write back a stale
 *    (unrevoked) copy of a token.
 * On a real MongoDB the same code is correct too.
 */

export interface ApiTokenDocument {
  _id: string;
  businessId: string;
  tokenHash: string;
  description: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

export interface ApiTokenRevocationDocument {
  _id: string;
  businessId: string;
  revokedAt: Date;
  revokedBy: string;
}

export interface ApiTokenUsageDocument {
  _id: string;
  lastUsedAt: Date;
}

/** No TTL, partial or sparse indexes (FerretDB): expiry is enforced in code. */
export const apiTokenSchema = new Schema<ApiTokenDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    tokenHash: { type: String, required: true, unique: true },
    description: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: String, default: null },
  },
  { collection: 'api_tokens', versionKey: false, strict: 'throw' },
);
apiTokenSchema.index({ businessId: 1, createdAt: -1 });

export const apiTokenRevocationSchema = new Schema<ApiTokenRevocationDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    revokedAt: { type: Date, required: true },
    revokedBy: { type: String, required: true },
  },
  { collection: 'api_token_revocations', versionKey: false, strict: 'throw' },
);

export const apiTokenUsageSchema = new Schema<ApiTokenUsageDocument>(
  {
    _id: { type: String, required: true },
    lastUsedAt: { type: Date, required: true },
  },
  { collection: 'api_token_usage', versionKey: false, strict: 'throw' },
);

export interface ApiTokenModels {
  tokens: Model<ApiTokenDocument>;
  revocations: Model<ApiTokenRevocationDocument>;
  usage: Model<ApiTokenUsageDocument>;
}

function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}

export function apiTokenModels(connection: Connection): ApiTokenModels {
  return {
    tokens: modelOn(connection, 'ApiToken', apiTokenSchema),
    revocations: modelOn(connection, 'ApiTokenRevocation', apiTokenRevocationSchema),
    usage: modelOn(connection, 'ApiTokenUsage', apiTokenUsageSchema),
  };
}

const toCredential = (d: ApiTokenDocument): ApiTokenCredential => ({
  id: d._id,
  businessId: d.businessId,
  tokenHash: d.tokenHash,
  description: d.description,
  createdBy: d.createdBy,
  createdAt: d.createdAt,
  expiresAt: d.expiresAt ?? null,
  revokedAt: d.revokedAt ?? null,
  revokedBy: d.revokedBy ?? null,
});

/** API tokens in MongoDB (mesh mode). */
export class MongoApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly models: ApiTokenModels) {}

  async create(token: ApiTokenEntity): Promise<void> {
    try {
      await this.models.tokens.create({
        _id: token.id,
        businessId: token.businessId,
        tokenHash: token.tokenHash,
        description: token.description,
        createdBy: token.createdBy,
        createdAt: token.createdAt,
        expiresAt: token.expiresAt,
        revokedAt: token.revokedAt,
        revokedBy: token.revokedBy,
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DispatchError('CONFLICT', 'Token already exists');
      throw err;
    }
    if (token.lastUsedAt) await this.recordLastUsed([{ id: token.id, at: token.lastUsedAt }]);
  }

  async get(businessId: string, id: string): Promise<ApiTokenEntity | null> {
    const doc = await this.models.tokens.findOne({ _id: id, businessId }).lean<ApiTokenDocument>().exec();
    return doc ? this.withUsage(toCredential(doc)) : null;
  }

  async list(businessId: string): Promise<ApiTokenEntity[]> {
    const docs = await this.models.tokens.find({ businessId }).sort({ createdAt: -1, _id: -1 }).lean<ApiTokenDocument[]>().exec();
    if (docs.length === 0) return [];
    const usage = await this.models.usage
      .find({ _id: { $in: docs.map((d) => d._id) } })
      .lean<ApiTokenUsageDocument[]>()
      .exec();
    const lastUsed = new Map(usage.map((u) => [u._id, u.lastUsedAt]));
    return docs.map((d) => ({ ...toCredential(d), lastUsedAt: lastUsed.get(d._id) ?? null }));
  }

  async findByHash(tokenHash: string): Promise<ApiTokenCredential | null> {
    const doc = await this.models.tokens.findOne({ tokenHash }).lean<ApiTokenDocument>().exec();
    return doc ? toCredential(doc) : null;
  }

  async revoke(businessId: string, id: string, revokedBy: string, at: Date): Promise<RevokeResult | null> {
    const current = await this.get(businessId, id);
    if (!current) return null;
    if (current.revokedAt) return { token: current, changed: false };

    let changed = true;
    let revocation: Pick<ApiTokenRevocationDocument, 'revokedAt' | 'revokedBy'> = { revokedAt: at, revokedBy };
    try {
      await this.models.revocations.create({ _id: id, businessId, revokedAt: at, revokedBy });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      changed = false;
      const first = await this.models.revocations.findById(id).lean<ApiTokenRevocationDocument>().exec();
      if (!first) throw new Error(`revocation of ${id} vanished`);
      revocation = { revokedAt: first.revokedAt, revokedBy: first.revokedBy };
    }
    // Every writer sets the recorded first revocation, so concurrent writes agree. A caller that
    // lost the insert race also repairs a token whose first revoker stopped before this write.
    const updated = await this.models.tokens
      .findOneAndUpdate({ _id: id, businessId }, { $set: revocation }, { new: true })
      .lean<ApiTokenDocument>()
      .exec();
    if (!updated) throw new Error(`token ${id} vanished during revocation`);
    return { token: await this.withUsage(toCredential(updated)), changed };
  }

  async recordLastUsed(uses: readonly LastUse[]): Promise<void> {
    if (uses.length === 0) return;
    const ops = uses.map((use) => ({
      updateOne: { filter: { _id: use.id }, update: { $max: { lastUsedAt: use.at } }, upsert: true },
    }));
    try {
      await this.models.usage.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Two instances upserting the same new usage document: one insert loses on _id. The
      // document exists now, so the same ($max, idempotent) batch succeeds as updates.
      if (!isDuplicateKeyError(err) && !hasOnlyDuplicateKeyErrors(err)) throw err;
      await this.models.usage.bulkWrite(ops, { ordered: false });
    }
  }

  private async withUsage(token: ApiTokenCredential): Promise<ApiTokenEntity> {
    const usage = await this.models.usage.findById(token.id).lean<ApiTokenUsageDocument>().exec();
    return { ...token, lastUsedAt: usage?.lastUsedAt ?? null };
  }
}

function hasOnlyDuplicateKeyErrors(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return false;
  const writeErrors = (err as { writeErrors: unknown }).writeErrors;
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every(isDuplicateKeyError);
}
