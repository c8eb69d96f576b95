import { Schema, type Connection, type Model } from 'mongoose';
import { DispatchError, RateLimitMode, type RateLimitOverride } from '@dispatch/contracts';
import { newId } from '@dispatch/runtime';
import type {
  ApiTokenCredential,
  ApiTokenEntity,
  ApiTokenRepository,
  CreateOptions,
  LastUse,
  RateLimitChange,
  RevokeResult,
  RotationEntity,
  RotationResult,
  UsageSummary,
} from './api-token-repository.js';
import { isDuplicateKeyError } from './mongo-errors.js';
import { capReached, currentHolders, freeSlots, holderActive, type SlotClaim } from './slots.js';

/*
 * Several collections, because FerretDB 1.24 runs every update (findAndModify included) as
 * "read the document, change it in Go, write the whole document back by _id", with no
 * compare-and-set. So:
 *  - `api_tokens` is written only by create and revoke, and revoke only ever writes the values
 *    recorded in `api_token_revocations`, so concurrent writers write the same values;
 *  - `api_token_revocations` (_id = token id) decides the first revocation with the only
 *    atomic guard FerretDB has: the unique _id of an insert;
 *  - `api_token_uses` is insert-only: one document per token per flush (last use, calls,
 *    calls after rotation). No read-modify-write, so two instances flushing at once both
 *    count, and a flush can never write back a stale (unrevoked) copy of a token;
 *  - `api_token_rotations` (_id = old token id): the first rotation wins by a unique insert;
 *  - `api_token_slots` (_id = business:slot:generation): the exact cap on active tokens, see
 *    slots.ts.
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
  scopes?: string[];
  revocationReason?: string | null;
  rotatedFrom?: string | null;
  rateLimit?: RateLimitOverride | null;
}

/** One quota change (insert-only; the latest per token wins). */
export interface ApiTokenQuotaDocument {
  _id: string;
  tokenId: string;
  businessId: string;
  rateLimit: RateLimitOverride | null;
  changedBy: string;
  at: Date;
}

export interface ApiTokenRevocationDocument {
  _id: string;
  businessId: string;
  revokedAt: Date;
  revokedBy: string;
  reason?: string | null;
}

/** One flush of one token's uses (insert-only). */
export interface ApiTokenUseDocument {
  _id: string;
  tokenId: string;
  at: Date;
  count: number;
  graceCount: number;
}

export interface ApiTokenRotationDocument {
  _id: string;
  businessId: string;
  newTokenId: string;
  rotatedBy: string;
  rotatedAt: Date;
  graceEndsAt: Date;
}

export interface ApiTokenSlotDocument {
  _id: string;
  businessId: string;
  slot: number;
  gen: number;
  tokenId: string;
  claimedAt: Date;
}

const rateLimitSchema = new Schema<RateLimitOverride>(
  {
    limit: { type: Number, required: true },
    windowSeconds: { type: Number, required: true },
    mode: { type: String, enum: RateLimitMode.options, required: true },
  },
  { _id: false, strict: 'throw' },
);

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
    scopes: { type: [String], default: undefined },
    revocationReason: { type: String, default: null },
    rotatedFrom: { type: String, default: null },
    rateLimit: { type: rateLimitSchema, default: null },
  },
  { collection: 'api_tokens', versionKey: false, strict: 'throw' },
);
apiTokenSchema.index({ businessId: 1, createdAt: -1 });
apiTokenSchema.index({ expiresAt: 1 });

export const apiTokenRevocationSchema = new Schema<ApiTokenRevocationDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    revokedAt: { type: Date, required: true },
    revokedBy: { type: String, required: true },
    reason: { type: String, default: null },
  },
  { collection: 'api_token_revocations', versionKey: false, strict: 'throw' },
);

export const apiTokenUseSchema = new Schema<ApiTokenUseDocument>(
  {
    _id: { type: String, required: true },
    tokenId: { type: String, required: true },
    at: { type: Date, required: true },
    count: { type: Number, required: true },
    graceCount: { type: Number, required: true },
  },
  { collection: 'api_token_uses', versionKey: false, strict: 'throw' },
);
apiTokenUseSchema.index({ tokenId: 1, at: -1 });

export const apiTokenRotationSchema = new Schema<ApiTokenRotationDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    newTokenId: { type: String, required: true },
    rotatedBy: { type: String, required: true },
    rotatedAt: { type: Date, required: true },
    graceEndsAt: { type: Date, required: true },
  },
  { collection: 'api_token_rotations', versionKey: false, strict: 'throw' },
);
apiTokenRotationSchema.index({ graceEndsAt: 1 });

export const apiTokenSlotSchema = new Schema<ApiTokenSlotDocument>(
  {
    _id: { type: String, required: true },
    businessId: { type: String, required: true },
    slot: { type: Number, required: true },
    gen: { type: Number, required: true },
    tokenId: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'api_token_slots', versionKey: false, strict: 'throw' },
);
apiTokenSlotSchema.index({ businessId: 1 });

export const apiTokenQuotaSchema = new Schema<ApiTokenQuotaDocument>(
  {
    _id: { type: String, required: true },
    tokenId: { type: String, required: true },
    businessId: { type: String, required: true },
    rateLimit: { type: rateLimitSchema, default: null },
    changedBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'api_token_quotas', versionKey: false, strict: 'throw' },
);
apiTokenQuotaSchema.index({ tokenId: 1, at: -1 });

export interface ApiTokenModels {
  tokens: Model<ApiTokenDocument>;
  revocations: Model<ApiTokenRevocationDocument>;
  uses: Model<ApiTokenUseDocument>;
  rotations: Model<ApiTokenRotationDocument>;
  slots: Model<ApiTokenSlotDocument>;
  quotas: Model<ApiTokenQuotaDocument>;
}

function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}

export function apiTokenModels(connection: Connection): ApiTokenModels {
  return {
    tokens: modelOn(connection, 'ApiToken', apiTokenSchema),
    revocations: modelOn(connection, 'ApiTokenRevocation', apiTokenRevocationSchema),
    uses: modelOn(connection, 'ApiTokenUse', apiTokenUseSchema),
    rotations: modelOn(connection, 'ApiTokenRotation', apiTokenRotationSchema),
    slots: modelOn(connection, 'ApiTokenSlot', apiTokenSlotSchema),
    quotas: modelOn(connection, 'ApiTokenQuota', apiTokenQuotaSchema),
  };
}

const toOverride = (r: RateLimitOverride | null | undefined): RateLimitOverride | null =>
  r ? { limit: r.limit, windowSeconds: r.windowSeconds, mode: r.mode } : null;

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
  // Tokens stored before scopes existed had full access.
  scopes: d.scopes && d.scopes.length > 0 ? [...d.scopes] : ['*'],
  revocationReason: d.revocationReason ?? null,
  rotatedFrom: d.rotatedFrom ?? null,
  rateLimit: toOverride(d.rateLimit),
});

const toRotation = (d: ApiTokenRotationDocument): RotationEntity => ({
  tokenId: d._id,
  businessId: d.businessId,
  newTokenId: d.newTokenId,
  rotatedBy: d.rotatedBy,
  rotatedAt: d.rotatedAt,
  graceEndsAt: d.graceEndsAt,
});

const toClaim = (d: ApiTokenSlotDocument): SlotClaim => ({ slot: d.slot, gen: d.gen, tokenId: d.tokenId, claimedAt: d.claimedAt });

/**
 * Claim attempts before giving up. Every lost attempt means another creator won a slot, so
 * losses are bounded by the cap; a little more than the cap always suffices without revocations.
 */
const slotAttempts = (maxActive: number | undefined): number => Math.min(1000, (maxActive ?? 0) + 8);
const jitter = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));

/** API tokens in MongoDB (mesh mode). */
export class MongoApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly models: ApiTokenModels) {}

  async create(token: ApiTokenEntity, options: CreateOptions = {}): Promise<void> {
    if (options.maxActive !== undefined || options.replaces !== undefined) await this.claimSlot(token, options);
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
        scopes: token.scopes,
        revocationReason: token.revocationReason,
        rotatedFrom: token.rotatedFrom,
        rateLimit: token.rateLimit,
      });
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DispatchError('CONFLICT', 'Token already exists');
      throw err;
    }
    if (token.lastUsedAt) await this.recordLastUsed([{ id: token.id, at: token.lastUsedAt }]);
  }

  /** See slots.ts: a unique insert of (business, slot, generation) decides each claim. */
  private async claimSlot(token: ApiTokenEntity, options: CreateOptions): Promise<void> {
    const now = options.now ?? new Date();
    for (let attempt = 0, attempts = slotAttempts(options.maxActive); attempt < attempts; attempt++) {
      if (attempt > 0) await jitter();
      const docs = await this.models.slots.find({ businessId: token.businessId }).lean<ApiTokenSlotDocument[]>().exec();
      const holders = currentHolders(docs.map(toClaim));
      let target: { slot: number; gen: number } | null = null;
      if (options.replaces !== undefined) {
        const held = [...holders.values()].find((c) => c.tokenId === options.replaces);
        if (held) target = { slot: held.slot, gen: held.gen + 1 };
      }
      if (!target && options.maxActive !== undefined) {
        const ids = [...holders.values()].map((c) => c.tokenId);
        const tokens = ids.length === 0 ? [] : await this.models.tokens.find({ _id: { $in: ids } }).lean<ApiTokenDocument[]>().exec();
        const byId = new Map(tokens.map((t) => [t._id, t]));
        // A random free slot: concurrent creators rarely pick the same one.
        const free = freeSlots(holders, (c) => holderActive(c, byId.get(c.tokenId), now), options.maxActive);
        target = free[Math.floor(Math.random() * free.length)] ?? null;
        if (!target && options.replaces === undefined) throw capReached(options.maxActive);
      }
      // A rotation of a token that holds no slot (created before the cap) with every slot taken: no slot.
      if (!target) return;
      try {
        await this.models.slots.create({
          _id: `${token.businessId}:${target.slot}:${target.gen}`,
          businessId: token.businessId,
          slot: target.slot,
          gen: target.gen,
          tokenId: token.id,
          claimedAt: now,
        });
      } catch (err) {
        if (isDuplicateKeyError(err)) continue; // another creator took this slot first: look again
        throw err;
      }
      // Older generations of this slot are history (nobody claims below the current one):
      // pruned now and then, not on every create.
      if (target.gen > 0 && target.gen % 16 === 0) {
        await this.models.slots
          .deleteMany({ businessId: token.businessId, slot: target.slot, gen: { $lt: target.gen } })
          .exec()
          .catch(() => undefined);
      }
      return;
    }
    throw new DispatchError('SERVICE_UNAVAILABLE', 'Too many tokens are being created at once for this business, try again');
  }

  async get(businessId: string, id: string): Promise<ApiTokenEntity | null> {
    const doc = await this.models.tokens.findOne({ _id: id, businessId }).lean<ApiTokenDocument>().exec();
    return doc ? this.withUsage(toCredential(doc)) : null;
  }

  async list(businessId: string): Promise<ApiTokenEntity[]> {
    const docs = await this.models.tokens.find({ businessId }).sort({ createdAt: -1, _id: -1 }).lean<ApiTokenDocument[]>().exec();
    if (docs.length === 0) return [];
    const last = await this.lastUses(docs.map((d) => d._id));
    return docs.map((d, i) => ({ ...toCredential(d), lastUsedAt: last[i] ?? null }));
  }

  async findByHash(tokenHash: string): Promise<ApiTokenCredential | null> {
    const doc = await this.models.tokens.findOne({ tokenHash }).lean<ApiTokenDocument>().exec();
    return doc ? toCredential(doc) : null;
  }

  async revoke(businessId: string, id: string, revokedBy: string, at: Date, reason: string | null = null): Promise<RevokeResult | null> {
    const current = await this.get(businessId, id);
    if (!current) return null;
    if (current.revokedAt) return { token: current, changed: false };

    let changed = true;
    let revocation: { revokedAt: Date; revokedBy: string; revocationReason: string | null } = { revokedAt: at, revokedBy, revocationReason: reason };
    try {
      await this.models.revocations.create({ _id: id, businessId, revokedAt: at, revokedBy, reason });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      changed = false;
      const first = await this.models.revocations.findById(id).lean<ApiTokenRevocationDocument>().exec();
      if (!first) throw new Error(`revocation of ${id} vanished`);
      revocation = { revokedAt: first.revokedAt, revokedBy: first.revokedBy, revocationReason: first.reason ?? null };
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
    // Insert-only, fresh ids: nothing to collide with, nothing read back and rewritten.
    await this.models.uses.insertMany(
      uses.map((use) => ({ _id: newId('use'), tokenId: use.id, at: use.at, count: use.count ?? 1, graceCount: use.graceCount ?? 0 })),
      { ordered: false },
    );
  }

  /** The latest use per token. FerretDB 1.24's $group has no $max: one indexed find per token. */
  private async lastUses(ids: readonly string[]): Promise<(Date | null)[]> {
    const latest = await Promise.all(
      ids.map((id) => this.models.uses.findOne({ tokenId: id }, { at: 1 }).sort({ at: -1 }).lean<Pick<ApiTokenUseDocument, 'at'>>().exec()),
    );
    return latest.map((d) => d?.at ?? null);
  }

  async usage(ids: readonly string[]): Promise<Map<string, UsageSummary>> {
    const out = new Map<string, UsageSummary>();
    if (ids.length === 0) return out;
    // The calls after rotation: one $sum over the (few) documents that have any.
    const [latest, grace] = await Promise.all([
      this.lastUses(ids),
      this.models.uses
        .aggregate<{ _id: string; graceCalls: number }>([
          { $match: { tokenId: { $in: [...ids] }, graceCount: { $gt: 0 } } },
          { $group: { _id: '$tokenId', graceCalls: { $sum: '$graceCount' } } },
        ])
        .exec(),
    ]);
    const graceById = new Map(grace.map((g) => [g._id, g.graceCalls]));
    ids.forEach((id, i) => {
      const last = latest[i] ?? null;
      if (last || graceById.has(id)) out.set(id, { lastUsedAt: last, graceCalls: graceById.get(id) ?? 0 });
    });
    return out;
  }

  async recordRotation(rotation: RotationEntity): Promise<RotationResult> {
    try {
      await this.models.rotations.create({
        _id: rotation.tokenId,
        businessId: rotation.businessId,
        newTokenId: rotation.newTokenId,
        rotatedBy: rotation.rotatedBy,
        rotatedAt: rotation.rotatedAt,
        graceEndsAt: rotation.graceEndsAt,
      });
      return { rotation, changed: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const first = await this.models.rotations.findById(rotation.tokenId).lean<ApiTokenRotationDocument>().exec();
      if (!first) throw new Error(`rotation of ${rotation.tokenId} vanished`);
      return { rotation: toRotation(first), changed: false };
    }
  }

  async rotations(ids: readonly string[]): Promise<Map<string, RotationEntity>> {
    if (ids.length === 0) return new Map();
    const query = ids.length === 1 ? { _id: ids[0] } : { _id: { $in: [...ids] } };
    const docs = await this.models.rotations.find(query).lean<ApiTokenRotationDocument[]>().exec();
    return new Map(docs.map((d) => [d._id, toRotation(d)]));
  }

  async recordRateLimit(change: RateLimitChange): Promise<void> {
    // Insert-only with a time-sortable id: concurrent changes never overwrite each other's document.
    await this.models.quotas.create({
      _id: newId('quo'),
      tokenId: change.tokenId,
      businessId: change.businessId,
      rateLimit: change.rateLimit,
      changedBy: change.changedBy,
      at: change.at,
    });
  }

  async rateLimits(ids: readonly string[]): Promise<Map<string, RateLimitOverride | null>> {
    const out = new Map<string, RateLimitOverride | null>();
    if (ids.length === 0) return out;
    const query = ids.length === 1 ? { tokenId: ids[0] } : { tokenId: { $in: [...ids] } };
    const docs = await this.models.quotas.find(query).sort({ at: -1, _id: -1 }).lean<ApiTokenQuotaDocument[]>().exec();
    for (const d of docs) if (!out.has(d.tokenId)) out.set(d.tokenId, toOverride(d.rateLimit));
    return out;
  }

  async expiredBetween(from: Date, to: Date): Promise<ApiTokenCredential[]> {
    const docs = await this.models.tokens.find({ expiresAt: { $gt: from, $lte: to } }).lean<ApiTokenDocument[]>().exec();
    return docs.map(toCredential);
  }

  async graceEndedBetween(from: Date, to: Date): Promise<RotationEntity[]> {
    const docs = await this.models.rotations.find({ graceEndsAt: { $gt: from, $lte: to } }).lean<ApiTokenRotationDocument[]>().exec();
    return docs.map(toRotation);
  }

  private async withUsage(token: ApiTokenCredential): Promise<ApiTokenEntity> {
    const [last] = await this.lastUses([token.id]);
    return { ...token, lastUsedAt: last ?? null };
  }
}
