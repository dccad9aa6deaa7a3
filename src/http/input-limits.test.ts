import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createAccount, SESSION_COOKIE } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';
import { checkInput, DEFAULT_INPUT_LIMITS } from './input-limits.js';

const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};
/** As an attacker sends it: text, so that nothing on our side serialises the nesting first. */
const nestedText = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('input bounds', () => {
  it('Art. 32 walks 200,000 levels without overflowing, and names the part at fault', () => {
    const deep = JSON.parse(`{"details":${nestedText(200_000)}}`) as unknown;
    expect(() => checkInput(deep, 'body', DEFAULT_INPUT_LIMITS)).toThrow(/nested deeper than 16 levels/);
    expect(() => checkInput(nested(10), 'body', DEFAULT_INPUT_LIMITS)).not.toThrow();
    expect(() => checkInput({ list: ['ok', 'bad\u0000'] }, 'body', DEFAULT_INPUT_LIMITS)).toThrow(/NUL/);
    expect(() => checkInput({ ['k\u0000']: 1 }, 'query', DEFAULT_INPUT_LIMITS)).toThrow(/NUL/);
    expect(() => checkInput({ s: 'x'.repeat(100_001) }, 'body', DEFAULT_INPUT_LIMITS)).toThrow(/longer than 100000/);
  });
});

describeEachEngine('hostile input over HTTP', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let headers: Record<string, string> = {};
  let ip = 0;
  const PASSWORD = 'Remparts-de-Carcassonne-1247';
  const open = (payload: string | object, email?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/requests',
      remoteAddress: `203.0.113.${++ip % 250}`,
      headers: { 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : { type: 'access', email: email ?? `p${ip}@example.fr`, ...payload },
    });

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy });
    await createAccount(store().db, policy, { email: 'cr@rempart.example', role: 'customer_relations', password: PASSWORD });
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'cr@rempart.example', password: PASSWORD } });
    headers = { cookie: `${SESSION_COOKIE}=${login.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? ''}`, 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
  });
  afterAll(async () => {
    await app.close();
  });

  it('Art. 32 public POST /api/v1/requests: deep details → 400, over 64 KB → 413, long strings and NUL → 400, never a 500', async () => {
    const deep = await open(`{"type":"access","email":"deep@example.fr","details":${nestedText(2_000)}}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
    const huge = await open(`{"type":"access","email":"deep@example.fr","details":${nestedText(200_000)}}`);
    expect(huge.statusCode).toBe(413);
    expect((await open({ details: { note: 'x'.repeat(900_000) } })).statusCode).toBe(413);
    const long = await open({ details: { note: 'x'.repeat(10_000) } });
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'details.note' }] } });
    const nul = await open({ details: { note: 'a\u0000b' } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({ error: { details: [{ field: 'details.note', message: expect.stringMatching(/NUL/) }] } });
    const nulInEmail = await open({}, 'a\u0000b@example.fr');
    expect(nulInEmail.statusCode).toBe(400);
    expect((await open({ details: { note: 'a normal note' } })).statusCode).toBe(202);
  });

  it('Art. 32 authenticated creates and queries: NUL and deep bodies → 400, not a database 500', async () => {
    const person = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/people', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    const nul = await person({ lastName: 'Du\u0000rand', firstName: 'Élise' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json()).toMatchObject({ error: { details: [{ field: 'lastName' }] } });
    const deep = await app.inject({ method: 'POST', url: '/api/v1/people', headers: { ...headers, 'content-type': 'application/json' }, payload: `{"lastName":"Durand","x":${nestedText(100_000)}}` });
    expect(deep.statusCode).toBe(400);
    const org = await app.inject({ method: 'POST', url: '/api/v1/organisations', headers, payload: { name: 'ACME\u0000' } });
    expect(org.statusCode).toBe(400);
    const query = await app.inject({ method: 'GET', url: '/api/v1/people?q=%00', headers });
    expect(query.statusCode).toBe(400);
    const param = await app.inject({ method: 'GET', url: '/api/v1/people/%00', headers });
    expect(param.statusCode).toBe(400);
    expect((await person({ lastName: 'Durand', firstName: 'Élise' })).statusCode).toBe(201);
  });

  it('Art. 32 code requests are limited per target address too, from any client, alike for known and unknown addresses', async () => {
    const known = await app.inject({ method: 'POST', url: '/api/v1/people', headers, payload: { lastName: 'Connue', email: 'known@example.fr' } });
    expect(known.statusCode).toBe(201);
    for (const email of ['known@example.fr', 'unknown@example.fr']) {
      const answers: number[] = [];
      // Each from a new client address: only the per-address limit can stop them.
      for (let i = 0; i < 4; i++) answers.push((await open({}, i % 2 === 0 ? email : email.toUpperCase())).statusCode);
      expect(answers, email).toEqual([202, 202, 202, 429]);
    }
    const refused = await open({}, 'known@example.fr');
    const refusedUnknown = await open({}, 'unknown@example.fr');
    expect(refused.json<{ error: { message: string } }>().error.message.replace(/\d+/g, 'N')).toBe(refusedUnknown.json<{ error: { message: string } }>().error.message.replace(/\d+/g, 'N'));
    expect(refused.body).not.toContain('known@example.fr');
  });
});
