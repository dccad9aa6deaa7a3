import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { errorHandler } from '../../http/error-handler.js';
import { validatorCompiler } from '../../http/validation.js';
import { loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import {
  authPlugin,
  base32Decode,
  createAccount,
  createToken,
  disableAccount,
  issueEnrolmentCode,
  listAccounts,
  purgeEndedSessions,
  requireActor,
  revokeToken,
  SESSION_COOKIE,
  totpCode,
} from './index.js';

const START = new Date('2026-11-26T10:00:00Z');
const KEY = randomBytes(32);
const PASSWORD = 'correct horse battery staple';
const MINUTE = 60_000;

/** Every secret the tests see; none may appear in the Fastify logs. */
const secrets = new Set<string>([PASSWORD]);
const logLines: string[] = [];

interface Login {
  readonly res: LightMyRequestResponse;
  readonly cookie: string;
  readonly csrf: string;
}

describeEachEngine('authentication over HTTP', (store) => {
  let policy: LoadedPolicy;
  let clock = START;
  let app: FastifyInstance;
  let ipCounter = 0;
  const db = (): Kysely<Database> => store().db;
  const advance = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };
  /** A fresh source address, so that the per-IP limit only bites where a test means it to. */
  const freshIp = (): string => `198.51.100.${++ipCounter % 250}`;

  async function buildTestApp(): Promise<FastifyInstance> {
    const instance = Fastify({
      trustProxy: true,
      logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } },
    });
    instance.setValidatorCompiler(validatorCompiler);
    instance.setErrorHandler(errorHandler);
    await instance.register(authPlugin, { db: db(), policy, now: () => clock, identifierKey: KEY });
    instance.get('/api/v1/data', { preHandler: requireActor }, async (request) => ({ actor: request.actor }));
    instance.post('/api/v1/data', { preHandler: requireActor }, async () => ({ written: true }));
    await instance.ready();
    return instance;
  }

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function account(email: string, role = 'sales', scopeOrganisationId?: string): Promise<string> {
    const { account: created } = await createAccount(db(), policy, { email, role, password: PASSWORD, scopeOrganisationId });
    return created.id;
  }

  async function login(email: string, password = PASSWORD, extra: { totp?: string; ip?: string; target?: FastifyInstance } = {}): Promise<Login> {
    const res = await (extra.target ?? app).inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: extra.ip ?? freshIp(),
      headers: { 'user-agent': 'vitest/auth' },
      payload: { email, password, ...(extra.totp === undefined ? {} : { totp: extra.totp }) },
    });
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const csrf = res.statusCode === 200 ? (res.json<{ csrfToken: string }>().csrfToken ?? '') : '';
    if (cookie) secrets.add(cookie);
    if (csrf) secrets.add(csrf);
    return { res, cookie, csrf };
  }

  function withSession(s: Login, method: 'GET' | 'POST' | 'DELETE', url: string, opts: { csrf?: string | null; payload?: object } = {}) {
    const csrf = opts.csrf === undefined ? s.csrf : opts.csrf;
    return app.inject({
      method,
      url,
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: csrf === null ? {} : { 'x-csrf-token': csrf },
      ...(opts.payload === undefined ? {} : { payload: opts.payload }),
    });
  }

  /** The one-time enrolment code an administrator hands over with the account. */
  async function enrolmentCodeOf(accountId: string): Promise<string> {
    const { code } = await issueEnrolmentCode(db(), accountId, clock);
    secrets.add(code);
    return code;
  }

  async function connectionLogs(accountId: string | null) {
    const q = db().selectFrom('connectionLogs').selectAll().orderBy('id');
    return accountId === null ? q.where('accountId', 'is', null).execute() : q.where('accountId', '=', accountId).execute();
  }

  async function newOrganisation(): Promise<string> {
    const id = newId();
    await db().insertInto('organisations').values({ id, name: 'Sous-traitance SARL', kind: 'subcontractor', siret: null, vatNumber: null, sector: null, headcount: null, addresses: JSON.stringify([]) }).execute();
    return id;
  }

  it('P2.1 login: 200 with the account and a CSRF token, a HttpOnly SameSite=Strict cookie, Secure over HTTPS', async () => {
    const id = await account('Commercial@Example.fr');
    const { res, cookie, csrf } = await login('  commercial@example.FR ');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      account: { id, email: 'Commercial@Example.fr', role: 'sales', scopeOrganisationId: null },
      csrfToken: csrf,
      mfaRequired: false,
      totpEnabled: false,
    });
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);

    const overHttps = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      headers: { 'x-forwarded-proto': 'https' },
      payload: { email: 'commercial@example.fr', password: PASSWORD },
    });
    expect(String(overHttps.headers['set-cookie'])).toMatch(/; Secure/);
    secrets.add(overHttps.cookies[0]?.value ?? '');

    // The session is stored under the digest of its token, never the token itself.
    const stored = await db().selectFrom('sessions').select(['id', 'csrfHash']).where('accountId', '=', id).execute();
    expect(stored.map((s) => s.id)).not.toContain(cookie);
    expect(JSON.stringify(stored)).not.toContain(csrf);

    const me = await withSession({ res, cookie, csrf }, 'GET', '/api/v1/session');
    expect(me.statusCode).toBe(200);
    expect(me.json<{ csrfToken: string }>().csrfToken).toBe(csrf); // the page gets it back after a reload
    const data = await withSession({ res, cookie, csrf }, 'GET', '/api/v1/data');
    expect(data.json()).toEqual({ actor: { kind: 'user', id: `user:${id}`, role: 'sales', scopeOrganisationId: null, accountId: id } });

    const logged = await connectionLogs(id);
    expect(logged.map((l) => [l.event, l.outcome])).toEqual([
      ['login', 'success'],
      ['login', 'success'],
    ]);
    expect(logged[0]).toMatchObject({ service: 'api', userAgent: 'vitest/auth', sourceIp: expect.stringMatching(/^198\.51\.100\./) });
  });

  it('P1.7 an unknown email and a wrong password get the same answer, in comparable time, and are both logged', async () => {
    const id = await account('compta@example.fr');
    const timed = async (email: string, password: string) => {
      const t0 = performance.now();
      const { res } = await login(email, password);
      return { res, ms: performance.now() - t0 };
    };
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push([await timed('nobody@example.fr', 'wrong password 1'), await timed('compta@example.fr', 'wrong password 2')] as const);
    secrets.add('wrong password 1').add('wrong password 2');
    for (const [unknown, wrong] of runs) {
      expect(unknown.res.statusCode).toBe(401);
      expect(wrong.res.statusCode).toBe(401);
      expect(unknown.res.body).toBe(wrong.res.body);
      expect(unknown.res.headers['set-cookie']).toBeUndefined();
      expect(wrong.res.headers['set-cookie']).toBeUndefined();
    }
    expect(runs[0]?.[0].res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
    const unknownMs = median(runs.map((r) => r[0].ms));
    const wrongMs = median(runs.map((r) => r[1].ms));
    // Both run one argon2id verification; an unknown email must not answer markedly faster.
    expect(unknownMs).toBeGreaterThan(wrongMs / 4);

    expect((await connectionLogs(id)).map((l) => [l.event, l.outcome, l.reason])).toEqual(Array(3).fill(['login', 'failure', 'bad_password']));
    const anonymous = (await connectionLogs(null)).filter((l) => l.reason === 'unknown_account');
    expect(anonymous.length).toBeGreaterThanOrEqual(3);
    // Only a keyed hash of the attempted email is kept, never the email.
    expect(anonymous[0]?.identifierHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(anonymous)).not.toContain('nobody@example.fr');
  });

  it('P2.1 lockout: after 5 failures even the right password is refused like a wrong one, 1 min then doubling, across instances', async () => {
    const id = await account('logistique@example.fr');
    const wrong = await login('logistique@example.fr', 'not the password');
    secrets.add('not the password');
    for (let i = 0; i < 4; i++) await login('logistique@example.fr', 'not the password');
    const locked = await login('logistique@example.fr');
    expect(locked.res.statusCode).toBe(401);
    expect(locked.res.body).toBe(wrong.res.body);

    // Another instance on the same database sees the same lock.
    const other = await buildTestApp();
    try {
      const elsewhere = await login('logistique@example.fr', PASSWORD, { target: other });
      expect(elsewhere.res.statusCode).toBe(401);
    } finally {
      await other.close();
    }

    advance(MINUTE + 1000);
    await login('logistique@example.fr', 'not the password'); // 6th failure: 2 minutes
    advance(MINUTE + 1000);
    expect((await login('logistique@example.fr')).res.statusCode).toBe(401);
    advance(MINUTE);
    expect((await login('logistique@example.fr')).res.statusCode).toBe(200);
    const row = await db().selectFrom('accounts').select(['failedAttempts', 'lockedUntil']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ failedAttempts: 0, lockedUntil: null });

    const reasons = (await connectionLogs(id)).map((l) => l.reason ?? l.outcome);
    expect(reasons).toEqual([...Array(5).fill('bad_password'), 'locked', 'locked', 'bad_password', 'locked', 'success']);
  });

  it('P2.1 rate limit: the 11th sign-in attempt in a minute from one address is 429 RATE_LIMITED, and logged', async () => {
    advance(10 * MINUTE);
    const ip = '203.0.113.9';
    for (let i = 0; i < 10; i++) {
      expect((await login(`guess${i}@example.fr`, 'guess password', { ip })).res.statusCode).toBe(401);
    }
    const limited = await login('guess10@example.fr', 'guess password', { ip });
    secrets.add('guess password');
    expect(limited.res.statusCode).toBe(429);
    expect(limited.res.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('guess11@example.fr', 'guess password', { ip: '203.0.113.10' })).res.statusCode).toBe(401);
    const refused = await db().selectFrom('connectionLogs').selectAll().where('reason', '=', 'rate_limited').where('sourceIp', '=', ip).execute();
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ event: 'login', outcome: 'failure' });
    advance(MINUTE + 1000);
    expect((await login('guess12@example.fr', 'guess password', { ip })).res.statusCode).toBe(401);
  });

  it('P2.1 rate limit per account: 10 attempts a minute on one email, whatever the address', async () => {
    advance(10 * MINUTE);
    for (let i = 0; i < 10; i++) await login('target@example.fr', 'guess password');
    expect((await login('target@example.fr', 'guess password')).res.statusCode).toBe(429);
  });

  it('P1.7 logout revokes the session on the server: the same cookie then gets 401', async () => {
    const id = await account('relation@example.fr', 'customer_relations');
    const s = await login('relation@example.fr');
    expect((await withSession(s, 'GET', '/api/v1/data')).statusCode).toBe(200);
    const out = await withSession(s, 'DELETE', '/api/v1/session');
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/rempart_session=;/);
    expect((await withSession(s, 'GET', '/api/v1/session')).statusCode).toBe(401);
    const data = await withSession(s, 'GET', '/api/v1/data');
    expect(data.statusCode).toBe(401);
    expect(data.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await connectionLogs(id)).map((l) => `${l.event}:${l.outcome}`)).toEqual(['login:success', 'logout:success']);
  });

  it('P2.1 CSRF: a cookie-authenticated write needs x-csrf-token (403 without or wrong); a bearer write needs none', async () => {
    await account('marketing@example.fr', 'marketing');
    const s = await login('marketing@example.fr');
    const none = await withSession(s, 'POST', '/api/v1/data', { csrf: null, payload: {} });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await withSession(s, 'POST', '/api/v1/data', { csrf: 'x'.repeat(43), payload: {} })).statusCode).toBe(403);
    expect((await withSession(s, 'DELETE', '/api/v1/session', { csrf: null })).statusCode).toBe(403);
    const ok = await withSession(s, 'POST', '/api/v1/data', { payload: {} });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ written: true });
    // Unknown routes: the check still runs, and nothing breaks.
    expect((await withSession(s, 'POST', '/api/v1/nowhere', { csrf: null, payload: {} })).statusCode).toBe(403);
    expect((await withSession(s, 'POST', '/api/v1/nowhere', { payload: {} })).statusCode).toBe(404);
    // Reads need no CSRF token.
    expect((await withSession(s, 'GET', '/api/v1/data', { csrf: null })).statusCode).toBe(200);
    // Another session's token does not fit this one.
    const other = await login('marketing@example.fr');
    expect((await withSession(s, 'POST', '/api/v1/data', { csrf: other.csrf, payload: {} })).statusCode).toBe(403);

    const { token } = await createToken(db(), policy, { role: 'marketing', name: 'newsletter sync' }, clock);
    secrets.add(token);
    const bearer = await app.inject({ method: 'POST', url: '/api/v1/data', headers: { authorization: `Bearer ${token}` }, payload: {} });
    expect(bearer.statusCode).toBe(200);
  });

  it('P1.7 sessions end after 30 idle minutes and 12 hours in all; the expiry is logged once', async () => {
    const id = await account('idle@example.fr');
    const s = await login('idle@example.fr');
    advance(29 * MINUTE);
    expect((await withSession(s, 'GET', '/api/v1/session')).statusCode).toBe(200); // pushes the idle limit
    advance(29 * MINUTE);
    expect((await withSession(s, 'GET', '/api/v1/session')).statusCode).toBe(200);
    advance(31 * MINUTE);
    const expired = await withSession(s, 'GET', '/api/v1/data');
    expect(expired.statusCode).toBe(401);
    expect(String(expired.headers['set-cookie'])).toMatch(/rempart_session=;/);
    expect((await withSession(s, 'GET', '/api/v1/data')).statusCode).toBe(401);
    expect((await connectionLogs(id)).map((l) => l.event)).toEqual(['login', 'session_expired']);

    const busy = await login('idle@example.fr');
    for (let elapsed = 0; elapsed < 11 * 60 + 40; elapsed += 20) {
      advance(20 * MINUTE);
      expect((await withSession(busy, 'GET', '/api/v1/session')).statusCode, `after ${elapsed + 20} min`).toBe(200);
    }
    advance(21 * MINUTE); // 12 h 01 after login, though never idle for long
    expect((await withSession(busy, 'GET', '/api/v1/session')).statusCode).toBe(401);
    expect((await connectionLogs(id)).map((l) => l.event)).toEqual(['login', 'session_expired', 'login', 'session_expired']);
  });

  it('P2.1 an MFA role (dpo) without TOTP gets a session that reaches no data until it enrols', async () => {
    const id = await account('dpo@example.fr', 'dpo');
    const enrolmentCode = await enrolmentCodeOf(id);
    const s = await login('dpo@example.fr');
    expect(s.res.statusCode).toBe(200);
    expect(s.res.json()).toMatchObject({ mfaRequired: true, totpEnabled: false });
    const blocked = await withSession(s, 'GET', '/api/v1/data');
    expect(blocked.statusCode).toBe(401);
    expect(blocked.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(blocked.body).not.toContain('"actor"');
    expect((await withSession(s, 'POST', '/api/v1/data', { payload: {} })).statusCode).toBe(401);
    expect((await withSession(s, 'GET', '/api/v1/session')).json()).toMatchObject({ mfaRequired: true });

    // TOTP routes need the CSRF token too.
    expect((await withSession(s, 'POST', '/api/v1/session/totp/enrol', { csrf: null, payload: { enrolmentCode } })).statusCode).toBe(403);
    const enrol = await withSession(s, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode } });
    expect(enrol.statusCode).toBe(200);
    const { secret, otpauthUri } = enrol.json<{ secret: string; otpauthUri: string }>();
    secrets.add(secret);
    expect(otpauthUri).toContain(`secret=${secret}`);
    const stored = await db().selectFrom('accounts').select(['totpSecret', 'totpEnabled']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.totpEnabled).toBe(false);
    expect(stored.totpSecret).not.toContain(secret);
    expect(stored.totpSecret).toMatch(/^v1\./);

    const seed = base32Decode(secret);
    const code = totpCode(seed, clock);
    const wrongCode = code === '000000' ? '111111' : '000000';
    const bad = await withSession(s, 'POST', '/api/v1/session/totp/confirm', { payload: { code: wrongCode, enrolmentCode } });
    expect(bad.statusCode).toBe(400);
    expect((await withSession(s, 'GET', '/api/v1/data')).statusCode).toBe(401);
    const confirmed = await withSession(s, 'POST', '/api/v1/session/totp/confirm', { payload: { code, enrolmentCode } });
    expect(confirmed.statusCode).toBe(200);
    const { recoveryCodes } = confirmed.json<{ recoveryCodes: string[] }>();
    recoveryCodes.forEach((c) => secrets.add(c));
    expect(recoveryCodes).toHaveLength(10);
    expect((await withSession(s, 'GET', '/api/v1/data')).statusCode).toBe(200);
    expect((await withSession(s, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode } })).statusCode).toBe(409);

    const logged = await connectionLogs(id);
    expect(logged.map((l) => `${l.event}:${l.outcome}:${l.reason}`)).toEqual([
      'login:success:totp_enrolment_required',
      'identity_check:failure:bad_code',
      'identity_check:success:totp_enrolment',
    ]);
  });

  it('P2.1 an attacker holding only the password cannot enrol a second factor, nor reach data', async () => {
    const id = await account('victim-dpo@example.fr', 'dpo');
    const enrolmentCode = await enrolmentCodeOf(id); // handed to the person, not to the attacker
    const attacker = await login('victim-dpo@example.fr');
    expect(attacker.res.json()).toMatchObject({ mfaRequired: true, totpEnabled: false });
    // No code, an empty one, a guessed one, another account's: each refused, and no secret is handed out.
    const otherCode = await enrolmentCodeOf(await account('other-dpo@example.fr', 'dpo'));
    for (const payload of [undefined, {}, { enrolmentCode: '' }, { enrolmentCode: 'aaaaa-bbbbb-ccccc-ddddd' }, { enrolmentCode: otherCode }]) {
      const res = await withSession(attacker, 'POST', '/api/v1/session/totp/enrol', payload === undefined ? {} : { payload });
      expect([400, 403], JSON.stringify(payload)).toContain(res.statusCode);
      expect(res.body).not.toContain('otpauth');
    }
    const refused = await withSession(attacker, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode: 'aaaaa-bbbbb-ccccc-ddddd' } });
    expect(refused.json()).toMatchObject({ error: { code: 'FORBIDDEN', details: [{ field: 'enrolmentCode' }] } });
    // Nor can it skip enrol and confirm a code of its own choosing.
    expect((await withSession(attacker, 'POST', '/api/v1/session/totp/confirm', { payload: { code: '123456' } })).statusCode).toBe(400);
    expect((await withSession(attacker, 'POST', '/api/v1/session/totp/confirm', { payload: { code: '123456', enrolmentCode: 'aaaaa-bbbbb-ccccc-ddddd' } })).statusCode).toBe(403);
    expect((await withSession(attacker, 'GET', '/api/v1/data')).statusCode).toBe(401);
    const row = await db().selectFrom('accounts').select(['totpSecret', 'totpEnabled', 'enrolmentCodeHash']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ totpSecret: null, totpEnabled: false });
    expect(row.enrolmentCodeHash).not.toContain(enrolmentCode.replace(/-/g, '')); // stored hashed
    expect((await connectionLogs(id)).filter((l) => l.reason === 'bad_enrolment_code').length).toBeGreaterThanOrEqual(3);

    // The person, with the code: enrols once; the code is then spent.
    const owner = await login('victim-dpo@example.fr');
    const enrol = await withSession(owner, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode: enrolmentCode.toUpperCase() } });
    expect(enrol.statusCode).toBe(200);
    const { secret } = enrol.json<{ secret: string }>();
    secrets.add(secret);
    const confirmed = await withSession(owner, 'POST', '/api/v1/session/totp/confirm', { payload: { code: totpCode(base32Decode(secret), clock), enrolmentCode } });
    expect(confirmed.statusCode).toBe(200);
    confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes.forEach((c) => secrets.add(c));
    const spent = await db().selectFrom('accounts').select(['enrolmentCodeHash', 'enrolmentCodeExpiresAt']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(spent).toEqual({ enrolmentCodeHash: null, enrolmentCodeExpiresAt: null });
    await expect(issueEnrolmentCode(db(), id, clock)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('P2.1 an enrolment code expires after 72 hours, and a new one replaces the old', async () => {
    const id = await account('late-it@example.fr', 'it');
    const old = await enrolmentCodeOf(id);
    advance(73 * 3600_000);
    const s = await login('late-it@example.fr');
    expect((await withSession(s, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode: old } })).statusCode).toBe(403);
    const fresh = await enrolmentCodeOf(id);
    expect((await withSession(s, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode: old } })).statusCode).toBe(403);
    expect((await withSession(s, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode: fresh } })).statusCode).toBe(200);
  });

  it('P2.1 TOTP at login: a code works once (replay refused), the next step works; wrong codes count towards the lockout', async () => {
    const id = await account('it@example.fr', 'it');
    const enrolmentCode = await enrolmentCodeOf(id);
    const first = await login('it@example.fr');
    const { secret } = (await withSession(first, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode } })).json<{ secret: string }>();
    secrets.add(secret);
    const seed = base32Decode(secret);
    const enrolCode = totpCode(seed, clock);
    secrets.add(enrolCode);
    const { recoveryCodes } = (await withSession(first, 'POST', '/api/v1/session/totp/confirm', { payload: { code: enrolCode, enrolmentCode } })).json<{ recoveryCodes: string[] }>();
    recoveryCodes.forEach((c) => secrets.add(c));

    // Same step again: a replay, refused with the login's one answer.
    const replay = await login('it@example.fr', PASSWORD, { totp: enrolCode });
    expect(replay.res.statusCode).toBe(401);
    expect(replay.res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });

    advance(30_000);
    const next = totpCode(seed, clock);
    secrets.add(next);
    const ok = await login('it@example.fr', PASSWORD, { totp: next });
    expect(ok.res.statusCode).toBe(200);
    expect(ok.res.json()).toMatchObject({ mfaRequired: false, totpEnabled: true });
    expect((await withSession(ok, 'GET', '/api/v1/data')).statusCode).toBe(200);
    expect((await login('it@example.fr', PASSWORD, { totp: next })).res.statusCode).toBe(401); // replay again

    // Without a code: a pending session, which verify completes once per code.
    advance(30_000);
    const pending = await login('it@example.fr');
    expect(pending.res.json()).toMatchObject({ mfaRequired: true, totpEnabled: true });
    expect((await withSession(pending, 'GET', '/api/v1/data')).statusCode).toBe(401);
    expect((await withSession(pending, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode } })).statusCode).toBe(409); // cannot replace the device
    const code = totpCode(seed, clock);
    secrets.add(code);
    const verified = await withSession(pending, 'POST', '/api/v1/session/totp/verify', { payload: { code } });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({ mfaRequired: false });
    expect((await withSession(pending, 'GET', '/api/v1/data')).statusCode).toBe(200);
    const again = await login('it@example.fr');
    expect((await withSession(again, 'POST', '/api/v1/session/totp/verify', { payload: { code } })).statusCode).toBe(401);

    const events = (await connectionLogs(id)).map((l) => `${l.event}:${l.outcome}:${l.reason}`);
    expect(events).toContain('identity_check:failure:bad_code');
    expect(events).toContain('identity_check:success:totp');
    const row = await db().selectFrom('accounts').select('failedAttempts').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.failedAttempts).toBe(1); // the last replay, since the success before it
  });

  it('P2.1 recovery codes: each works once, at login or to verify a pending session', async () => {
    const id = await account('admin@example.fr', 'administration');
    const enrolmentCode = await enrolmentCodeOf(id);
    const first = await login('admin@example.fr');
    const { secret } = (await withSession(first, 'POST', '/api/v1/session/totp/enrol', { payload: { enrolmentCode } })).json<{ secret: string }>();
    secrets.add(secret);
    const { recoveryCodes } = (
      await withSession(first, 'POST', '/api/v1/session/totp/confirm', { payload: { code: totpCode(base32Decode(secret), clock), enrolmentCode } })
    ).json<{ recoveryCodes: string[] }>();
    recoveryCodes.forEach((c) => secrets.add(c));
    const [one, two] = recoveryCodes as [string, string];

    const pending = await login('admin@example.fr');
    const verified = await withSession(pending, 'POST', '/api/v1/session/totp/verify', { payload: { code: one.toUpperCase() } });
    expect(verified.statusCode).toBe(200);
    expect((await withSession(pending, 'GET', '/api/v1/data')).statusCode).toBe(200);
    const reuse = await login('admin@example.fr');
    expect((await withSession(reuse, 'POST', '/api/v1/session/totp/verify', { payload: { code: one } })).statusCode).toBe(401);

    expect((await login('admin@example.fr', PASSWORD, { totp: two })).res.statusCode).toBe(200);
    expect((await login('admin@example.fr', PASSWORD, { totp: two })).res.statusCode).toBe(401);

    const row = await db().selectFrom('accounts').select('recoveryCodeHashes').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.recoveryCodeHashes).toHaveLength(8);
    expect(JSON.stringify(row.recoveryCodeHashes)).not.toContain(one);
    expect((await connectionLogs(id)).filter((l) => l.reason === 'recovery_code')).toHaveLength(2);
  });

  it('P2.2 API tokens: a live token acts as its role and scope; expired, revoked and unknown tokens get 401; every use is logged', async () => {
    const org = await newOrganisation();
    await expect(createToken(db(), policy, { role: 'subcontractor', name: 'routage' }, clock)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createToken(db(), policy, { role: 'nobody', name: 'x' }, clock)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const { token, summary } = await createToken(db(), policy, { role: 'subcontractor', name: 'routage', scopeOrganisationId: org, expiresAt: new Date(clock.getTime() + 60 * MINUTE) }, clock);
    secrets.add(token);
    expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    const bearer = (t: string) => app.inject({ method: 'GET', url: '/api/v1/data', headers: { authorization: `Bearer ${t}` } });

    const ok = await bearer(token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ actor: { kind: 'token', id: `token:${summary.id}`, role: 'subcontractor', scopeOrganisationId: org, accountId: summary.id } });
    const used = await db().selectFrom('apiTokens').select(['lastUsedAt', 'tokenHash']).where('id', '=', summary.id).executeTakeFirstOrThrow();
    expect(used.lastUsedAt?.toISOString()).toBe(clock.toISOString());
    expect(used.tokenHash).not.toContain(token.slice(4));

    advance(61 * MINUTE);
    expect((await bearer(token)).statusCode).toBe(401);

    const second = await createToken(db(), policy, { role: 'sales', name: 'erp' }, clock);
    secrets.add(second.token);
    expect((await bearer(second.token)).statusCode).toBe(200);
    await revokeToken(db(), second.summary.id, clock);
    expect((await bearer(second.token)).statusCode).toBe(401);
    expect((await bearer(`rmp_${'A'.repeat(43)}`)).statusCode).toBe(401);

    const uses = await db().selectFrom('connectionLogs').selectAll().where('event', '=', 'token').orderBy('id').execute();
    const mine = uses.filter((u) => u.accountId === summary.id || u.accountId === second.summary.id || u.accountId === null);
    expect(mine.map((u) => `${u.outcome}:${u.reason}`).slice(-5)).toEqual(['success:null', 'failure:expired', 'success:null', 'failure:revoked', 'failure:unknown']);
  });

  it('P2.1 accounts: role and scope checked against the policy, one account per email, generated password works once handed over', async () => {
    const org = await newOrganisation();
    await expect(createAccount(db(), policy, { email: 'x@example.fr', role: 'wizard', password: PASSWORD })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createAccount(db(), policy, { email: 'x@example.fr', role: 'debt_recovery', password: PASSWORD })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'scopeOrganisationId' }],
    });
    await expect(createAccount(db(), policy, { email: 'x@example.fr', role: 'sales', password: PASSWORD, scopeOrganisationId: org })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(createAccount(db(), policy, { email: 'x@example.fr', role: 'sales', password: 'short' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createAccount(db(), policy, { email: 'not an email', role: 'sales', password: PASSWORD })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    const created = await createAccount(db(), policy, { email: 'huissier@example.fr', role: 'debt_recovery', scopeOrganisationId: org });
    expect(created.generatedPassword).toMatch(/^[A-Za-z0-9_-]{22}$/);
    secrets.add(created.generatedPassword ?? '');
    await expect(createAccount(db(), policy, { email: 'HUISSIER@example.fr', role: 'sales', password: PASSWORD })).rejects.toMatchObject({ code: 'CONFLICT' });
    const s = await login('huissier@example.fr', created.generatedPassword);
    expect(s.res.statusCode).toBe(200);
    expect((await withSession(s, 'GET', '/api/v1/data')).json()).toMatchObject({ actor: { role: 'debt_recovery', scopeOrganisationId: org } });

    const listed = await listAccounts(db());
    expect(listed.find((a) => a.id === created.account.id)).toMatchObject({ email: 'huissier@example.fr', role: 'debt_recovery' });
    expect(JSON.stringify(listed)).not.toMatch(/argon2|passwordHash|totpSecret/);

    // Disabling ends the sessions at once and refuses sign-in with the usual answer.
    await disableAccount(db(), created.account.id, clock);
    expect((await withSession(s, 'GET', '/api/v1/data')).statusCode).toBe(401);
    const refused = await login('huissier@example.fr', created.generatedPassword);
    expect(refused.res.statusCode).toBe(401);
    expect((await connectionLogs(created.account.id)).at(-1)).toMatchObject({ event: 'login', outcome: 'failure', reason: 'disabled' });
    await expect(disableAccount(db(), newId(), clock)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('P1.7 the session clean-up deletes ended sessions and logs the expiries no request noticed, at their time', async () => {
    const id = await account('purge@example.fr');
    const gone = await login('purge@example.fr');
    await withSession(gone, 'DELETE', '/api/v1/session');
    const forgotten = await login('purge@example.fr');
    const expiry = new Date(clock.getTime() + 30 * MINUTE);
    advance(45 * MINUTE);
    expect(await purgeEndedSessions(db(), clock, KEY)).toBeGreaterThanOrEqual(2);
    expect(await db().selectFrom('sessions').select('id').where('accountId', '=', id).execute()).toEqual([]);
    const logged = await connectionLogs(id);
    expect(logged.map((l) => l.event)).toEqual(['login', 'logout', 'login', 'session_expired']);
    expect(logged.at(-1)?.at.toISOString()).toBe(expiry.toISOString());
    expect(await purgeEndedSessions(db(), clock, KEY)).toBe(0);
    expect((await withSession(forgotten, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });

  it('P1.7 no password, cookie, CSRF token, API token, TOTP secret, code or recovery code appears in the server logs', () => {
    expect(logLines.length).toBeGreaterThan(50);
    const text = logLines.join('\n');
    const leaked = [...secrets].filter((s) => s.length >= 6 && text.includes(s));
    expect(leaked).toEqual([]);
  });
});
