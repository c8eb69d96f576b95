import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** A prefixed, time-sortable id: `<prefix>_` + 10 chars of milliseconds + 16 random chars. */
export function newId(prefix: string): string {
  return `${prefix}_${timeHead(Date.now())}${tailOf(randomBytes(16))}`;
}

/**
 * A deterministic id for a key: the same key (and time) always yields the same id, so every
 * publisher of one incident publishes one event id (JetStream and consumers deduplicate by it).
 */
export function idFromKey(prefix: string, key: string, at: Date): string {
  return `${prefix}_${timeHead(at.getTime())}${tailOf(createHash('sha256').update(key).digest().subarray(0, 16))}`;
}

function tailOf(bytes: Uint8Array): string {
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b % 32];
  return tail;
}

function timeHead(ms: number): string {
  let time = ms;
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  return head;
}
