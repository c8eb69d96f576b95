import type { BusinessRecord, BusinessRepository } from './business-repository.js';
import { DuplicateKeyError } from './errors.js';

const copy = (b: BusinessRecord): BusinessRecord => ({ ...b, createdAt: new Date(b.createdAt) });

export class MemoryBusinessRepository implements BusinessRepository {
  private readonly byId = new Map<string, BusinessRecord>();

  async create(business: BusinessRecord): Promise<BusinessRecord> {
    if (this.byId.has(business.id)) throw new DuplicateKeyError('id');
    this.byId.set(business.id, copy(business));
    return copy(business);
  }

  async findById(businessId: string): Promise<BusinessRecord | null> {
    const b = this.byId.get(businessId);
    return b ? copy(b) : null;
  }

  async delete(businessId: string): Promise<void> {
    this.byId.delete(businessId);
  }
}
