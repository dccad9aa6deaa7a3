import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RempartError } from '../errors.js';

const COUNTED = Symbol('rempart.inFlight');
type Counted = FastifyRequest & { [COUNTED]?: boolean };

/** Seconds a shed client is told to wait (Retry-After). */
export const SHED_RETRY_AFTER_S = 1;

/**
 * Beyond `maxInFlight` requests being served at once, new ones are answered at once
 * with 429 and Retry-After instead of queueing until they time out: past its design load
 * the server stays responsive for the requests it accepted, and clients know when to
 * come back. The health check is never shed (an orchestrator would restart a busy,
 * healthy server).
 */
export function loadShedding(app: FastifyInstance, maxInFlight: number): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request: Counted, reply) => {
    if (request.url === '/healthz') return;
    if (inFlight >= maxInFlight) {
      void reply.header('retry-after', String(SHED_RETRY_AFTER_S));
      throw new RempartError('RATE_LIMITED', `The server is at capacity; try again in ${SHED_RETRY_AFTER_S} second.`);
    }
    inFlight += 1;
    request[COUNTED] = true;
    // The response's 'close' comes once, whether it was sent or the client went away
    // mid-way (Fastify's onResponse does not run for a client that timed out).
    reply.raw.once('close', () => {
      if (request[COUNTED] !== true) return;
      request[COUNTED] = false;
      inFlight -= 1;
    });
  });
}
