import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { errorHandler } from './error-handler.js';
import { loadShedding, SHED_RETRY_AFTER_S } from './load-shedding.js';

it('beyond maxInFlight requests at once, new ones get 429 RATE_LIMITED with Retry-After at once; the health check is never shed; capacity comes back', async () => {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  loadShedding(app, 3);
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  app.get('/slow', async () => {
    await gate;
    return { ok: true };
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.ready();

  const held = [1, 2, 3].map(() => app.inject({ method: 'GET', url: '/slow' }));
  await new Promise((r) => setTimeout(r, 20));
  const shed = await app.inject({ method: 'GET', url: '/slow' });
  expect(shed.statusCode).toBe(429);
  expect(shed.headers['retry-after']).toBe(String(SHED_RETRY_AFTER_S));
  expect(shed.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

  release();
  expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([200, 200, 200]);
  expect((await app.inject({ method: 'GET', url: '/slow' })).statusCode).toBe(200);
  await app.close();
});
