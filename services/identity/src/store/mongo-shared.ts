import { Schema, type Connection, type Model } from 'mongoose';
import { DuplicateKeyError, isMongoDuplicateKey } from './errors.js';

/** The model named `name` on this connection, compiled once. */
export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}

/**
 * Inserts one document; a unique-index violation (code 11000) becomes `DuplicateKeyError` naming the
 * key. MongoDB says which index in `keyPattern`; FerretDB does not, so then each candidate unique
 * field is probed, in order, for an existing document with the same value.
 * `uniques` maps document fields to the names callers use (e.g. `_id` → `id`).
 */
export async function insertOne<T>(model: Model<T>, doc: Record<string, unknown>, uniques: Record<string, string>): Promise<void> {
  try {
    await model.create(doc);
  } catch (err) {
    if (!isMongoDuplicateKey(err)) throw err;
    const e = err as { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> };
    const reported = Object.keys(e.keyPattern ?? e.keyValue ?? {}).find((k) => k in uniques);
    if (reported) throw new DuplicateKeyError(uniques[reported] ?? reported);
    for (const [field, name] of Object.entries(uniques)) {
      if (await model.exists({ [field]: doc[field] } as Parameters<Model<T>['exists']>[0])) throw new DuplicateKeyError(name);
    }
    throw new DuplicateKeyError(Object.values(uniques)[0] ?? 'unknown');
  }
}

/**
 * A single-use claim: one document per claimed key, `_id` = the key. Inserting it is the atomic
 * step that decides which of several concurrent users wins.
 *
 * Why not `findOneAndUpdate({usedAt: null}, {$set: {usedAt}})`: FerretDB 1.24 runs findAndModify
 * and update as "query, filter in the proxy, then UPDATE … WHERE _id = ?" with the whole document,
 * so two concurrent guarded updates can both "match" and both succeed (verified in our tests).
 * A unique-index insert is atomic on FerretDB and MongoDB alike.
 */
export interface ClaimDoc {
  _id: string;
  usedAt: Date;
}

export function claimModel(connection: Connection, name: string, collection: string): Model<ClaimDoc> {
  const schema = new Schema<ClaimDoc>(
    { _id: { type: String, required: true }, usedAt: { type: Date, required: true } },
    { collection, versionKey: false, strict: 'throw' },
  );
  return modelOn(connection, name, schema);
}

/** True when this call claimed `key`; false when it was already claimed. */
export async function tryClaim(model: Model<ClaimDoc>, key: string, usedAt: Date): Promise<boolean> {
  try {
    await model.create({ _id: key, usedAt });
    return true;
  } catch (err) {
    if (isMongoDuplicateKey(err)) return false;
    throw err;
  }
}

/** The claim times of these keys. */
export async function claimsOf(model: Model<ClaimDoc>, keys: string[]): Promise<Map<string, Date>> {
  if (keys.length === 0) return new Map();
  const docs = await model
    .find({ _id: { $in: keys } })
    .lean<ClaimDoc[]>()
    .exec();
  return new Map(docs.map((d) => [d._id, new Date(d.usedAt)]));
}
