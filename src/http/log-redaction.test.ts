import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createAccount, createToken, issueEnrolmentCode, SESSION_COOKIE } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';
import { redactUrl } from './log-redaction.js';

describe('redactUrl', () => {
  it('P2.5 hides one-click tokens and query values, keeps the route', () => {
    expect(redactUrl('/u/abc.def?x=1')).toBe('/u/[redacted]?x=[redacted]');
    expect(redactUrl('/rp/tok/stop')).toBe('/rp/[redacted]/stop');
    expect(redactUrl('/consent/withdraw/tok')).toBe('/consent/withdraw/[redacted]');
    expect(redactUrl('/api/v1/people?email=a%40b.fr&limit=5')).toBe('/api/v1/people?email=[redacted]&limit=[redacted]');
    expect(redactUrl('/api/v1/people/0193')).toBe('/api/v1/people/0193');
  });
});

/**
 * Unique values are sent through the main routes (sign-in, TOTP enrolment, bearer
 * token, people, public rights request, one-click links, a search) with the most
 * verbose log level; none of them may appear anywhere in what was logged.
 */
describeEachEngine('nothing secret or personal in the logs', (store) => {
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  const marker = randomBytes(4).toString('hex');
  const seeded = {
    password: `Pw-${marker}-long-enough`,
    staffEmail: `staff.${marker}@rempart.example`,
    lastName: `Nomunique${marker}`,
    firstName: `Prenom${marker}`,
    email: `client.${marker}@secret-client.fr`,
    phone: '+33655' + String(parseInt(marker, 16) % 1_000_000).padStart(6, '0'),
    requesterEmail: `requester.${marker}@secret-client.fr`,
    note: `note-${marker}`,
    oneClick: `tok${marker}Zq`,
  };
  const secrets: string[] = [];

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    app = await buildApp({ store: store(), policy, logger: { level: 'trace', stream } });
    const { account } = await createAccount(store().db, policy, { email: seeded.staffEmail, role: 'dpo', password: seeded.password });
    secrets.push((await issueEnrolmentCode(store().db, account.id, new Date())).code);
    const { token } = await createToken(store().db, policy, { role: 'customer_relations', name: 'crm-sync' });
    secrets.push(token);
  });
  afterAll(async () => {
    await app.close();
  });

  it('P2.5 seeded email, name, password and tokens are found in no log line', async () => {
    const [enrolmentCode = '', apiToken = ''] = secrets;
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: seeded.staffEmail, password: seeded.password } });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const csrf = login.json<{ csrfToken: string }>().csrfToken;
    secrets.push(cookie, csrf);
    const session = { cookie: `${SESSION_COOKIE}=${cookie}`, 'x-csrf-token': csrf };
    const enrol = await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers: session, payload: { enrolmentCode } });
    expect(enrol.statusCode).toBe(200);
    secrets.push(enrol.json<{ secret: string }>().secret);
    await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: seeded.staffEmail, password: `${seeded.password}-wrong` } });

    const bearer = { authorization: `Bearer ${apiToken}` };
    const person = await app.inject({
      method: 'POST',
      url: '/api/v1/people',
      headers: bearer,
      payload: { lastName: seeded.lastName, firstName: seeded.firstName, email: seeded.email, phones: [{ number: seeded.phone }] },
    });
    expect(person.statusCode).toBe(201);
    const id = person.json<{ id: string }>().id;
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${id}`, headers: bearer })).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: `/api/v1/people?q=${encodeURIComponent(seeded.lastName)}&email=${encodeURIComponent(seeded.email)}`, headers: bearer });
    await app.inject({ method: 'POST', url: '/api/v1/people', headers: bearer, payload: { lastName: seeded.lastName, email: `${seeded.email}@@` } });
    await app.inject({ method: 'POST', url: '/api/v1/people', headers: { authorization: `Bearer ${apiToken}x` }, payload: {} });

    const opened = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email: seeded.requesterEmail, details: { note: seeded.note } } });
    expect(opened.statusCode).toBe(202);
    for (const url of [`/u/${seeded.oneClick}`, `/c/${seeded.oneClick}`, `/o/${seeded.oneClick}`, `/rp/${seeded.oneClick}`, `/consent/withdraw/${seeded.oneClick}`]) {
      await app.inject({ method: 'GET', url });
    }
    await app.inject({ method: 'POST', url: `/u/${seeded.oneClick}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('/u/[redacted]'); // the requests were logged, with their tokens hidden
    const values = [...Object.values(seeded), ...secrets, seeded.email.toLowerCase(), encodeURIComponent(seeded.email), '203.0.113'];
    for (const value of values) {
      expect(value.length).toBeGreaterThan(5);
      expect(log, `the logs carry ${value.slice(0, 6)}…`).not.toContain(value);
    }
    expect(log).not.toContain('remoteAddress');
  });
});
