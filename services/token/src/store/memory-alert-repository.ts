import type { AlertEntity, AlertRepository, AlertSettingsRepository, StoredAlertSettings } from './alert-repository.js';

const copy = (a: AlertEntity): AlertEntity => ({ ...a, details: { ...a.details }, firstSeenAt: new Date(a.firstSeenAt), publishedAt: a.publishedAt ? new Date(a.publishedAt) : null });

/** In-memory alerts (embedded mode and tests). */
export class MemoryAlertRepository implements AlertRepository {
  private readonly byKey = new Map<string, AlertEntity>();

  async claim(alert: AlertEntity): Promise<boolean> {
    if (this.byKey.has(alert.incidentKey)) return false;
    this.byKey.set(alert.incidentKey, copy(alert));
    return true;
  }

  async get(incidentKey: string): Promise<AlertEntity | undefined> {
    const a = this.byKey.get(incidentKey);
    return a ? copy(a) : undefined;
  }

  async markPublished(incidentKey: string, at: Date): Promise<void> {
    const a = this.byKey.get(incidentKey);
    if (a) a.publishedAt = new Date(at);
  }

  async list(businessId: string, limit: number): Promise<AlertEntity[]> {
    return [...this.byKey.values()]
      .filter((a) => a.businessId === businessId)
      .sort((a, b) => b.firstSeenAt.getTime() - a.firstSeenAt.getTime() || (a.alertId < b.alertId ? 1 : -1))
      .slice(0, limit)
      .map(copy);
  }
}

/** In-memory alert settings (embedded mode and tests). */
export class MemoryAlertSettingsRepository implements AlertSettingsRepository {
  private readonly byBusiness = new Map<string, StoredAlertSettings>();

  async get(businessId: string): Promise<StoredAlertSettings | undefined> {
    const s = this.byBusiness.get(businessId);
    return s ? { ...s, overrides: { ...s.overrides }, updatedAt: new Date(s.updatedAt) } : undefined;
  }

  async put(businessId: string, settings: StoredAlertSettings): Promise<void> {
    this.byBusiness.set(businessId, { ...settings, overrides: { ...settings.overrides }, updatedAt: new Date(settings.updatedAt) });
  }
}
