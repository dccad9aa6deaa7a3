import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createAccount } from './access/auth/index.js';
import { buildApp } from './app.js';
import { loadPolicy } from './policy/index.js';

/**
 * No password, token, cookie or personal value appears in the application logs, at
 * the most verbose level, across sign-in, reads, writes and errors.
 */
describeEachEngine('application logs', (store) => {
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  const PASSWORD = 'correct horse battery staple';
  const PERSONAL = ['Lemaire-Secret', 'Inès', 'ines.lemaire@secret-client.fr', '+33655443322', '12 rue Cachée'];

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await buildApp({ store: store(), policy, logger: { level: 'trace', stream } });
    await createAccount(store().db, policy, { email: 'cr@rempart.example', role: 'customer_relations', password: PASSWORD });
  });
  afterAll(async () => {
    await app.close();
  });

  it('P2.5 logs carry no password, cookie, CSRF token or personal value', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'cr@rempart.example', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = (login.json() as { csrfToken: string }).csrfToken;
    const headers = { cookie, 'x-csrf-token': csrf };
    const person = await app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers,
      payload: { lastName: 'Lemaire-Secret', firstName: 'Inès', email: 'ines.lemaire@secret-client.fr', phones: [{ number: '+33655443322' }], postalAddresses: [{ line1: '12 rue Cachée', postcode: '75001', city: 'Paris' }] },
    });
    expect(person.statusCode).toBe(201);
    const id = (person.json() as { id: string }).id;
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${id}`, headers })).statusCode).toBe(200);
    // Errors that name fields, and a failed sign-in with a wrong password.
    expect((await app.inject({ method: 'POST', url: '/api/v1/people', headers, payload: { email: 'ines.lemaire@secret-client' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'ines.lemaire@secret-client.fr', password: 'Lemaire-Secret-pw' } })).statusCode).toBe(401);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [PASSWORD, cookie.split('=')[1] ?? 'x', csrf, ...PERSONAL, 'ines.lemaire@secret-client']) {
      expect(log, `the logs carry ${secret.slice(0, 4)}…`).not.toContain(secret);
    }
  });
});
