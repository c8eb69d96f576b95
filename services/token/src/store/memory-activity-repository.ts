import type { ActivityEntity, ActivityRepository } from './activity-repository.js';

/** In-memory token activity (embedded mode and tests). */
export class MemoryActivityRepository implements ActivityRepository {
  private readonly byId = new Map<string, ActivityEntity>();

  async insert(entries: readonly ActivityEntity[]): Promise<void> {
    for (const e of entries) if (!this.byId.has(e.id)) this.byId.set(e.id, { ...e, minute: new Date(e.minute) });
  }

  async query(businessId: string, tokenId: string, from: Date, to: Date): Promise<ActivityEntity[]> {
    return [...this.byId.values()]
      .filter((e) => e.businessId === businessId && e.tokenId === tokenId && e.minute >= from && e.minute < to)
      .map((e) => ({ ...e, minute: new Date(e.minute) }));
  }

  async queryBusinessStatus(businessId: string, status: number, from: Date, to: Date): Promise<ActivityEntity[]> {
    return [...this.byId.values()]
      .filter((e) => e.businessId === businessId && e.status === status && e.minute >= from && e.minute < to)
      .map((e) => ({ ...e, minute: new Date(e.minute) }));
  }

  async queryTokens(businessId: string, tokenIds: readonly string[], from: Date, to: Date): Promise<ActivityEntity[]> {
    const ids = new Set(tokenIds);
    return [...this.byId.values()]
      .filter((e) => e.businessId === businessId && ids.has(e.tokenId) && e.minute >= from && e.minute < to)
      .map((e) => ({ ...e, minute: new Date(e.minute) }));
  }
}
