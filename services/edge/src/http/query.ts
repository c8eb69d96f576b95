import { errors, validationDetails } from '@dispatch/contracts';
import type { z } from 'zod';
import type { EdgeContext } from './context.js';

/** The query string against a strict schema (unknown or repeated parameters are 400). */
export function readQuery<S extends z.ZodType>(ctx: EdgeContext, schema: S): z.output<S> {
  const params = new URLSearchParams(ctx.querystring);
  const raw: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, value] of params) {
    if (key in raw) repeated.push(key);
    raw[key] = value;
  }
  if (repeated.length > 0) {
    throw errors.validation('Request query is invalid', { fields: Object.fromEntries(repeated.map((k) => [k, 'Given more than once'])) });
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw errors.validation('Request query is invalid', validationDetails(result.error.issues));
  return result.data;
}

