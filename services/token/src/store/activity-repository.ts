/** Calls of one token in one minute for one method + route, status and client IP (insert-only). */
export interface ActivityEntity {
  /** `<event id>:<index>`: a redelivered usage event inserts nothing new. */
  id: string;
  businessId: string;
  tokenId: string;
  minute: Date;
  method: string;
  route: string;
  status: number;
  ip: string;
  count: number;
}

/** The port for token activity (forensics). */
export interface ActivityRepository {
  /** Inserts entries; ids already stored are skipped (at-least-once delivery). */
  insert(entries: readonly ActivityEntity[]): Promise<void>;
  /** The business's entries for a token with from <= minute < to. */
  query(businessId: string, tokenId: string, from: Date, to: Date): Promise<ActivityEntity[]>;
  /** The business's entries of any of `tokenIds` with from <= minute < to (one read for a whole usage event). */
  queryTokens(businessId: string, tokenIds: readonly string[], from: Date, to: Date): Promise<ActivityEntity[]>;
  /** The business's entries (every token) with the given status and from <= minute < to (alert detection). */
  queryBusinessStatus(businessId: string, status: number, from: Date, to: Date): Promise<ActivityEntity[]>;
}
