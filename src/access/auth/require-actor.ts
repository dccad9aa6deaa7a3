import type { FastifyRequest } from 'fastify';
import { RempartError } from '../../errors.js';

/**
 * preHandler for every route that touches data: 401 UNAUTHENTICATED without an actor,
 * including a session that has not yet passed its second factor.
 */
export async function requireActor(request: FastifyRequest): Promise<void> {
  if (request.actor !== null) return;
  if (request.authSession !== null && !request.authSession.mfaPassed) {
    throw new RempartError('UNAUTHENTICATED', 'Finish two-factor authentication first (POST /api/v1/session/totp/verify, or enrol).');
  }
  throw new RempartError('UNAUTHENTICATED', 'Sign in first, or send an API token as Authorization: Bearer.');
}
