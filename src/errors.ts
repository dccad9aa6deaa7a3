/**
 * The closed set of errors Rempart raises. Each code has one HTTP status and one
 * meaning; routes and the CLI never invent codes of their own (cf. Fastify's FST_ERR_*).
 *
 * `message` is for the person at the other end: it says what is wrong and where
 * (file, row, field) and never carries personal values. `cause` keeps the
 * underlying error for the operator's log.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  MANDATORY_FIELDS_MISSING: 400,
  INVALID_REFERENCE: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  CONFIG_INVALID: 500,
  POLICY_INVALID: 500,
  STORE_LOCKED: 503,
  STORE_SCHEMA_NEWER: 500,
  STORE_CORRUPT: 500,
  INTERNAL: 500,
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A problem attached to an error, pointing at where it is. */
export interface ErrorDetail {
  /** Field path, e.g. `contacts[0].email` or `purposes[2].retention`. */
  readonly field?: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly row?: number;
}

/** The only error type Rempart throws on purpose. */
export class RempartError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { details?: readonly ErrorDetail[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RempartError';
    this.code = code;
    this.details = Object.freeze([...(options.details ?? [])]);
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The JSON body sent to clients: `{"error":{"code","message","details"}}`. */
  toJSON(): { error: { code: ErrorCode; message: string; details: readonly ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** True when `e` is a RempartError (optionally of the given code). */
export function isRempartError(e: unknown, code?: ErrorCode): e is RempartError {
  return e instanceof RempartError && (code === undefined || e.code === code);
}
