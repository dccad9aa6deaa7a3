import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policy/index.js';

describeEachEngine('consent routes in the built app', (store) => {
  it('P1.6 buildApp serves gpc.json publicly, documents the consent routes in OpenAPI, and asks for sign-in on the staff routes', async () => {
    const app = await buildApp({ store: store(), policy: await loadPolicy(DEFAULT_POLICY_FILE), webRoot: '/nonexistent' });
    try {
      const openapi = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(openapi.statusCode).toBe(200);
      for (const path of ['/api/v1/partners', '/api/v1/people/{id}/consents', '/api/v1/people/{id}/consents/{partnerId}/withdraw', '/consent/withdraw/{token}']) {
        expect(Object.keys(openapi.json<{ paths: Record<string, unknown> }>().paths)).toContain(path);
      }
      const gpc = await app.inject({ method: 'GET', url: '/.well-known/gpc.json' });
      expect(gpc.json()).toMatchObject({ gpc: true });
      const anonymous = await app.inject({ method: 'POST', url: '/api/v1/partners', payload: { name: 'x', kind: 'partner', country: 'FR', email: 'a@b.test' } });
      expect(anonymous.statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/consent/withdraw/not-a-token' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
