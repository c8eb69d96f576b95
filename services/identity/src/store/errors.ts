/** Thrown by a repository when a write would break a unique index (email, token hash, id). */
export class DuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`Duplicate value for unique key "${key}"`);
    this.name = 'DuplicateKeyError';
  }
}

export const isDuplicateKeyError = (err: unknown): err is DuplicateKeyError => err instanceof DuplicateKeyError;

/** MongoDB (and FerretDB) report a unique-index violation as code 11000. */
export function isMongoDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}
