import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { RempartError, isRempartError } from '../errors.js';
import { validationDetails } from './validation.js';

/**
 * Every error leaves as `{"error":{"code","message","details"}}` with a stable code
 * (errors.ts). Unexpected errors are logged for the operator by request id and
 * answered with a generic message: no stack trace, no SQL, no personal value.
 */
export function toRempartError(error: unknown): RempartError {
  if (isRempartError(error)) return error;
  const e = error as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const part = e.validationContext ?? 'body';
    return new RempartError('VALIDATION_FAILED', `The request ${part} is not valid.`, {
      details: validationDetails(e.validation, part),
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RempartError('MALFORMED_REQUEST', 'The request body is not valid JSON.', { details: [{ field: '(body)', message: 'is not valid JSON' }] });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RempartError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RempartError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    default:
      break;
  }
  if (e instanceof SyntaxError || e.statusCode === 400) {
    return new RempartError('MALFORMED_REQUEST', 'The request is malformed.', { cause: error });
  }
  if (e.statusCode === 404) return new RempartError('NOT_FOUND', 'No such resource.');
  return new RempartError('INTERNAL', 'Something went wrong on our side; the error was logged.', { cause: error });
}

/** Fastify error handler applying toRempartError. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const re = toRempartError(error);
  if (re.code === 'INTERNAL') {
    // The cause may quote SQL parameters; log only its class, code and message-free
    // location, never the values.
    const cause = re.cause as { name?: string; code?: string } | undefined;
    request.log.error({ reqId: request.id, errorName: cause?.name, errorCode: cause?.code }, 'internal error');
  }
  void reply.status(re.status).send(re.toJSON());
}
