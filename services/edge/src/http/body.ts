import { DispatchError, validationDetails } from '@dispatch/contracts';
import type { z } from 'zod';
import type { EdgeContext } from './context.js';

/**
 * Reads a JSON object body: 415 when it is not JSON, 413 past the limit, 400 when empty,
 * malformed or not an object. Nothing is parsed past the limit.
 */
export async function readJson(ctx: EdgeContext, limitBytes: number): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw new DispatchError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limitBytes) {
    throw new DispatchError('PAYLOAD_TOO_LARGE', `Request body must be at most ${limitBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) {
      ctx.req.resume();
      throw new DispatchError('PAYLOAD_TOO_LARGE', `Request body must be at most ${limitBytes} bytes`);
    }
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new DispatchError('VALIDATION_ERROR', 'Request body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DispatchError('INVALID_JSON', 'Request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DispatchError('VALIDATION_ERROR', 'Request body must be a JSON object');
  }
  return value;
}

/** Reads and validates a body against a contract schema; 400 VALIDATION_ERROR lists every field problem. */
export async function readBody<S extends z.ZodType>(ctx: EdgeContext, schema: S, limitBytes: number): Promise<z.output<S>> {
  const raw = await readJson(ctx, limitBytes);
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new DispatchError('VALIDATION_ERROR', 'Request body is invalid', validationDetails(result.error.issues));
  }
  return result.data;
}

/**
 * An optional JSON body: a request without one (no Content-Length or 0, not chunked) is read as
 * `{}`; one with a body must be a JSON object valid against the schema.
 */
export async function readOptionalBody<S extends z.ZodType>(ctx: EdgeContext, schema: S, limitBytes: number): Promise<z.output<S>> {
  const length = ctx.get('content-length');
  const chunked = /chunked/i.test(ctx.get('transfer-encoding'));
  if (!chunked && (length === '' || length === '0')) {
    const result = schema.safeParse({});
    if (!result.success) throw new DispatchError('VALIDATION_ERROR', 'Request body is invalid', validationDetails(result.error.issues));
    return result.data;
  }
  return readBody(ctx, schema, limitBytes);
}
