import { Schema, type Connection, type Model } from 'mongoose';
import type { AlertKind, AlertSettingsBody } from '@dispatch/contracts';
import type { AlertEntity, AlertRepository, AlertSettingsRepository, StoredAlertSettings } from './alert-repository.js';
import { isDuplicateKeyError } from './mongo-errors.js';

interface AlertDocument {
  /** The incident key: inserting it is the claim (atomic on FerretDB and MongoDB). */
  _id: string;
  alertId: string;
  eventId: string;
  businessId: string | null;
  kind: string;
  tokenId: string | null;
  summary: string;
  details: Record<string, unknown>;
  firstSeenAt: Date;
  publishedAt: Date | null;
}

const alertSchema = new Schema<AlertDocument>(
  {
    _id: { type: String, required: true },
    alertId: { type: String, required: true },
    eventId: { type: String, required: true },
    businessId: { type: String, default: null },
    kind: { type: String, required: true },
    tokenId: { type: String, default: null },
    summary: { type: String, required: true },
    details: { type: Schema.Types.Mixed, required: true },
    firstSeenAt: { type: Date, required: true },
    publishedAt: { type: Date, default: null },
  },
  { collection: 'token_alerts', versionKey: false, strict: 'throw', minimize: false },
);
alertSchema.index({ businessId: 1, firstSeenAt: -1 });

interface AlertSettingsDocument {
  _id: string;
  overrides: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string;
}

const alertSettingsSchema = new Schema<AlertSettingsDocument>(
  {
    _id: { type: String, required: true },
    overrides: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'token_alert_settings', versionKey: false, strict: 'throw', minimize: false },
);

export const alertModels = (connection: Connection) => ({
  alerts: (connection.models['TokenAlert'] as Model<AlertDocument> | undefined) ?? connection.model<AlertDocument>('TokenAlert', alertSchema),
  settings:
    (connection.models['TokenAlertSettings'] as Model<AlertSettingsDocument> | undefined) ??
    connection.model<AlertSettingsDocument>('TokenAlertSettings', alertSettingsSchema),
});

const toEntity = ({ _id, kind, ...rest }: AlertDocument): AlertEntity => ({ incidentKey: _id, kind: kind as AlertKind, ...rest });

/** Alerts in MongoDB: one document per incident, claimed by inserting its key as `_id`. */
export class MongoAlertRepository implements AlertRepository {
  constructor(private readonly model: Model<AlertDocument>) {}

  async claim(alert: AlertEntity): Promise<boolean> {
    const { incidentKey, ...rest } = alert;
    try {
      await this.model.create({ _id: incidentKey, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async get(incidentKey: string): Promise<AlertEntity | undefined> {
    const doc = await this.model.findById(incidentKey).lean<AlertDocument>().exec();
    return doc ? toEntity(doc) : undefined;
  }

  async markPublished(incidentKey: string, at: Date): Promise<void> {
    // Every writer writes the same field (a publish time) of an otherwise immutable document.
    await this.model.updateOne({ _id: incidentKey }, { $set: { publishedAt: at } }).exec();
  }

  async list(businessId: string, limit: number): Promise<AlertEntity[]> {
    const docs = await this.model.find({ businessId }).sort({ firstSeenAt: -1, alertId: -1 }).limit(limit).lean<AlertDocument[]>().exec();
    return docs.map(toEntity);
  }
}

/** Alert settings in MongoDB: one document per business, replaced as a whole (last write wins). */
export class MongoAlertSettingsRepository implements AlertSettingsRepository {
  constructor(private readonly model: Model<AlertSettingsDocument>) {}

  async get(businessId: string): Promise<StoredAlertSettings | undefined> {
    const doc = await this.model.findById(businessId).lean<AlertSettingsDocument>().exec();
    return doc ? { overrides: doc.overrides as AlertSettingsBody, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy } : undefined;
  }

  async put(businessId: string, settings: StoredAlertSettings): Promise<void> {
    await this.model.replaceOne({ _id: businessId }, { _id: businessId, ...settings }, { upsert: true }).exec();
  }
}
