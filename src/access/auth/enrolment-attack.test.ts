import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { buildApp } from '../../app.js';
import { loadPolicy } from '../../policy/index.js';
import { base32Decode, createAccount, issueEnrolmentCode, SESSION_COOKIE, totpCode } from './index.js';

/**
 * The attack of issue 20, on the whole app: signed in as the DPO with the password
 * alone, enrol an attacker's TOTP secret, then read the rights requests.
 */
describeEachEngine('first TOTP enrolment against a password thief', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let enrolmentCode = '';
  const PASSWORD = 'Remparts-de-Carcassonne-1247';

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy });
    const { account } = await createAccount(store().db, policy, { email: 'dpo@rempart.example', role: 'dpo', password: PASSWORD });
    enrolmentCode = (await issueEnrolmentCode(store().db, account.id, new Date())).code;
  });
  afterAll(async () => {
    await app.close();
  });

  async function signIn() {
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'dpo@rempart.example', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = `${SESSION_COOKIE}=${res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`;
    return { cookie, 'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken };
  }

  it('P2.1 with the password only: no enrolment, and GET /api/v1/requests stays closed', async () => {
    const headers = await signIn();
    expect((await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers })).statusCode).toBe(400);
    const guessed = await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers, payload: { enrolmentCode: 'abcde-fghij-klmno-pqrst' } });
    expect(guessed.statusCode).toBe(403);
    expect(guessed.body).not.toContain('otpauth');
    const confirm = await app.inject({ method: 'POST', url: '/api/v1/session/totp/confirm', headers, payload: { code: '123456', enrolmentCode: 'abcde-fghij-klmno-pqrst' } });
    expect(confirm.statusCode).toBe(403);
    for (const url of ['/api/v1/requests', '/api/v1/people']) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('P2.1 with the enrolment code as well: enrols, then reaches the requests; the code works once', async () => {
    const headers = await signIn();
    const enrol = await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers, payload: { enrolmentCode } });
    expect(enrol.statusCode).toBe(200);
    const secret = enrol.json<{ secret: string }>().secret;
    const confirm = await app.inject({ method: 'POST', url: '/api/v1/session/totp/confirm', headers, payload: { code: totpCode(base32Decode(secret), new Date()), enrolmentCode } });
    expect(confirm.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/requests', headers })).statusCode).toBe(200);
    const again = await signIn();
    expect((await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers: again, payload: { enrolmentCode } })).statusCode).toBe(409);
  });
});
