import { z } from 'zod';

/** The closed set of error codes. Every error that leaves a service or the edge has one of these. */
export const ErrorCode = z.enum([
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'VERIFICATION_TOKEN_INVALID',
  'VERIFICATION_TOKEN_EXPIRED',
  'VERIFICATION_TOKEN_USED',
  'UNAUTHORIZED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'EMAIL_NOT_VERIFIED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'UPSTREAM_ERROR',
  'SERVICE_UNAVAILABLE',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One exhaustive code → HTTP status mapping. */
export const errorStatus: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  VERIFICATION_TOKEN_INVALID: 400,
  VERIFICATION_TOKEN_EXPIRED: 400,
  VERIFICATION_TOKEN_USED: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  EMAIL_NOT_VERIFIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UPSTREAM_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
};

/** Errors that a caller may retry unchanged. */
const retryableCodes: ReadonlySet<ErrorCode> = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'UPSTREAM_ERROR']);

export const ErrorDetails = z.record(z.string(), z.unknown());
export type ErrorDetails = z.infer<typeof ErrorDetails>;

/** How an error crosses the wire (NATS replies) and appears in the HTTP envelope. */
export const WireError = z.object({
  code: ErrorCode,
  message: z.string(),
  retryable: z.boolean().optional(),
  details: ErrorDetails.optional(),
});
export type WireError = z.infer<typeof WireError>;

/** The public HTTP error envelope. */
export const ErrorEnvelope = z.object({
  success: z.literal(false),
  error: z.object({ code: ErrorCode, message: z.string(), details: ErrorDetails.optional() }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export const successEnvelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

/** A typed, expected error. Services return these as values over the bus; the edge maps them to HTTP. */
export class DispatchError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'DispatchError';
    this.code = code;
    this.details = details;
    this.retryable = retryableCodes.has(code);
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toWire(): WireError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromWire(wire: WireError): DispatchError {
    return new DispatchError(wire.code, wire.message, wire.details);
  }
}

export const isDispatchError = (e: unknown): e is DispatchError => e instanceof DispatchError;

/** The guide's exact message for any rejected token. */
export const INVALID_TOKEN_MESSAGE = 'Invalid or expired authentication token';

export const errors = {
  unauthorized: (details?: ErrorDetails) => new DispatchError('UNAUTHORIZED', INVALID_TOKEN_MESSAGE, details),
  forbidden: (message: string, reason: ForbiddenReason) => new DispatchError('FORBIDDEN', message, { reason }),
  notFound: (what: string) => new DispatchError('NOT_FOUND', `${what} not found`),
  validation: (message: string, details?: ErrorDetails) => new DispatchError('VALIDATION_ERROR', message, details),
  unavailable: (message = 'A required service is unavailable, try again shortly') =>
    new DispatchError('SERVICE_UNAVAILABLE', message),
  internal: () => new DispatchError('INTERNAL_ERROR', 'Internal server error'),
};

/** Machine-readable reasons carried in `error.details.reason` of every 403. */
export const ForbiddenReason = z.enum(['insufficient_scope', 'insufficient_role', 'plan_feature_missing', 'wrong_token_type']);
export type ForbiddenReason = z.infer<typeof ForbiddenReason>;

/** Turns zod issues into a compact `details` object: field path → first message. */
export function validationDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetails {
  // A Map, so keys such as `__proto__` or `constructor` are recorded like any other.
  const fields = new Map<string, string>();
  const note = (path: string, message: string) => {
    if (!fields.has(path)) fields.set(path, message);
  };
  for (const issue of issues) {
    const path = issue.path.map(String).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) note(path === '(body)' ? key : `${path}.${key}`, 'Unknown field');
      continue;
    }
    note(path, issue.message);
  }
  return { fields: Object.fromEntries(fields) };
}
