import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { resource } from '../crm/resources.js';
import { parsePolicy, type LoadedPolicy } from '../policy/index.js';
import { mayOnOpposition } from '../prospecting/opposition/index.js';
import { personStateChecks, restrict } from '../rights/restriction/index.js';
import { cliActor } from './actor.js';
import { AuditWriter, auditSink } from './audit/index.js';
import { createToken } from './auth/index.js';
import { Gate } from './gate.js';
import { mayPerform } from './permissions.js';

/**
 * Role decisions come from the policy (`roles[].tasks`), never from a role's name: a
 * policy that calls its privacy officer `privacy_officer` keeps every decision, and a
 * role called `dpo` without the tasks gets none of them.
 */
const FILE = 'policies/certilience.yaml';
const shipped = readFileSync(FILE, 'utf8');
/** The shipped policy with the dpo role renamed (its id and every list naming it; `controller.dpo` is a contact, not a role). */
const renamedText = shipped.replace(/- id: dpo\n/, '- id: privacy_officer\n').replace(/(?<=[[ ,])dpo(?=[,\]])/g, 'privacy_officer');
const renamed = parsePolicy(renamedText, FILE);
const withoutTasks = parsePolicy(shipped.replace(/\n\s*tasks: \[rights_requests, audit_trail\]/, ''), FILE);

describe('P2.1 role decisions from the policy, not role names', () => {
  it('P2.1 the renamed role keeps its tasks; the old name has none; a dpo without tasks has none', () => {
    expect(renamedText).not.toMatch(/- id: dpo\n/);
    for (const task of ['rights_requests', 'audit_trail'] as const) {
      expect(mayPerform(renamed, cliActor('privacy_officer'), task)).toBe(true);
      expect(mayPerform(renamed, cliActor('dpo'), task)).toBe(false);
      expect(mayPerform(withoutTasks, cliActor('dpo'), task)).toBe(false);
      expect(mayPerform(renamed, cliActor('sales'), task)).toBe(false);
      expect(mayPerform(renamed, cliActor(), task)).toBe(true);
    }
  });

  it('P5.6 the opposition list: the renamed role lists and removes; sales only check', () => {
    expect(mayOnOpposition(renamed, cliActor('privacy_officer'), 'remove')).toBe(true);
    expect(mayOnOpposition(renamed, cliActor('privacy_officer'), 'list')).toBe(true);
    expect(mayOnOpposition(renamed, cliActor('dpo'), 'remove')).toBe(false);
    expect(mayOnOpposition(withoutTasks, cliActor('dpo'), 'list')).toBe(false);
    expect(mayOnOpposition(renamed, cliActor('sales'), 'list')).toBe(false);
    expect(mayOnOpposition(renamed, cliActor('sales'), 'check')).toBe(true);
    // The operator removes only while acting as a role with the task (`--as`).
    expect(mayOnOpposition(renamed, cliActor(), 'remove')).toBe(false);
  });

  it('P1.0 a task outside the closed set is refused by the policy schema', () => {
    expect(() => parsePolicy(shipped.replace('tasks: [rights_requests, audit_trail]', 'tasks: [rights_requests, everything]'), FILE)).toThrow(/tasks/);
  });
});

describeEachEngine('P2.1 tasks over HTTP and in the gate, with the role renamed', (store) => {
  let app: FastifyInstance;
  const auth: Record<string, Record<string, string>> = {};
  const get = async (role: string, url: string): Promise<number> => (await app.inject({ method: 'GET', url, headers: auth[role] })).statusCode;

  async function appFor(policy: LoadedPolicy, roles: readonly string[]): Promise<FastifyInstance> {
    const built = await buildApp({ store: store(), policy, now: () => new Date(), serverKey: Buffer.alloc(32, 3), dataDir: mkdtempSync(join(tmpdir(), 'rempart-tasks-')) });
    for (const role of roles) {
      const { token } = await createToken(store().db, policy, { role, name: `${role} tasks test` });
      auth[role] = { authorization: `Bearer ${token}` };
    }
    return built;
  }

  beforeAll(async () => {
    app = await appFor(renamed, ['privacy_officer', 'sales']);
  });
  afterAll(async () => {
    await app.close();
  });

  it('P5.1 P2.5 the renamed role handles requests and reads the audit trail; sales are refused', async () => {
    expect(await get('privacy_officer', '/api/v1/requests')).toBe(200);
    expect(await get('privacy_officer', '/api/v1/audit')).toBe(200);
    expect(await get('sales', '/api/v1/requests')).toBe(403);
    expect(await get('sales', '/api/v1/audit')).toBe(403);
  });

  it('P2.5 a role named dpo without the tasks is refused the audit trail and the requests', async () => {
    const other = await appFor(withoutTasks, ['dpo']);
    try {
      expect(await get('dpo', '/api/v1/requests')).toBe(403);
      expect(await get('dpo', '/api/v1/audit')).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('P5.4 a restricted person: the renamed role may still process (it handles the restriction), sales may not', async () => {
    const gate = new Gate({ db: store().db, policy: renamed, now: () => new Date(), audit: auditSink(new AuditWriter(store().db)), personState: personStateChecks(renamed) });
    const id = String(
      (await gate.for(cliActor()).create(resource('people'), { relation: 'client_contact', lastName: 'Tâche', firstName: 'Alix', email: 'alix.tache@example.test', phones: [], postalAddresses: [], source: 'salon' })).id,
    );
    await restrict(store().db, id, 'accuracy contested (Art. 18(1)(a))');
    const checks = personStateChecks(renamed);
    await expect(checks.assertProcessable(store().db, cliActor('privacy_officer'), 'update', [id])).resolves.toBeUndefined();
    await expect(checks.assertProcessable(store().db, cliActor('sales'), 'update', [id])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(personStateChecks(withoutTasks).assertProcessable(store().db, cliActor('dpo'), 'update', [id])).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
