/** True for a MongoDB duplicate-key error (E11000), as raised by MongoDB and FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}
