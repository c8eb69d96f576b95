import { DispatchError, WireError, requests, validationDetails, type RequestKey } from '@dispatch/contracts';
import type { z } from 'zod';

export type WireReply = { ok: true; data: unknown } | { ok: false; error: WireError };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

export function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

/** Validates an incoming request against its contract schema (every service does this). */
export function parseRequest<K extends RequestKey>(key: K, raw: unknown): z.output<(typeof requests)[K]['request']> {
  const result = requests[key].request.safeParse(raw);
  if (!result.success) {
    throw new DispatchError('VALIDATION_ERROR', `Invalid ${key} request`, validationDetails(result.error.issues));
  }
  return result.data as z.output<(typeof requests)[K]['request']>;
}

/** Turns a raw reply into data or a rebuilt `DispatchError`; checks the reply against its schema. */
export function parseReply<K extends RequestKey>(key: K, raw: unknown): z.output<(typeof requests)[K]['reply']> {
  const envelope = raw as Partial<WireReply> | null;
  if (envelope && envelope.ok === false) {
    const wire = WireError.safeParse(envelope.error);
    if (wire.success) throw DispatchError.fromWire(wire.data);
    throw new DispatchError('INTERNAL_ERROR', `Malformed error reply to ${key}`);
  }
  if (!envelope || envelope.ok !== true) throw new DispatchError('INTERNAL_ERROR', `Malformed reply to ${key}`);
  const result = requests[key].reply.safeParse(envelope.data);
  if (!result.success) throw new DispatchError('INTERNAL_ERROR', `Reply to ${key} does not match its contract`);
  return result.data as z.output<(typeof requests)[K]['reply']>;
}

/** Maps anything a handler threw to a wire error; only bugs become INTERNAL_ERROR. */
export function toWireError(err: unknown): { wire: WireError; unexpected: boolean } {
  if (err instanceof DispatchError) return { wire: err.toWire(), unexpected: false };
  return { wire: { code: 'INTERNAL_ERROR', message: 'Internal server error', retryable: false }, unexpected: true };
}
