export interface BusinessRecord {
  id: string;
  name: string;
  ownerId: string;
  createdAt: Date;
}

export interface BusinessRepository {
  create(business: BusinessRecord): Promise<BusinessRecord>;
  /** The business is the tenant: its id is the tenant key. */
  findById(businessId: string): Promise<BusinessRecord | null>;
  delete(businessId: string): Promise<void>;
}
