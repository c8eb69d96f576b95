/** True for a MongoDB duplicate-key error (E11000), as raised by MongoDB and FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}

/** True for a bulk write error (insertMany, unordered) whose every failure is a duplicate key. */
export function isOnlyDuplicateKeyErrors(err: unknown): boolean {
  if (isDuplicateKeyError(err)) return true;
  if (typeof err !== 'object' || err === null || !('writeErrors' in err)) return false;
  const writeErrors = (err as { writeErrors: unknown }).writeErrors;
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every(isDuplicateKeyError);
}
