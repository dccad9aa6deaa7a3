import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import type { GateSession } from '../access/gate.js';
import { createAccessRuntime } from '../access/runtime.js';
import { RESOURCES, resource } from '../crm/resources.js';
import { validateInput } from '../crm/schemas.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

const TYPES = RESOURCES.map((r) => r.name).join(', ');

function specOf(type: string) {
  if (!RESOURCES.some((r) => r.name === type)) {
    throw new RempartError('VALIDATION_FAILED', `Unknown record type "${type}"; one of: ${TYPES}.`, { details: [{ field: 'TYPE', message: `must be one of ${TYPES}` }] });
  }
  return resource(type);
}

/** Reads --data: inline JSON, @file, or - for standard input. */
function readData(data: string): unknown {
  const text = data === '-' ? readFileSync(0, 'utf8') : data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
  try {
    return JSON.parse(text);
  } catch {
    const where = data.startsWith('@') ? data.slice(1) : data === '-' ? 'standard input' : '--data';
    throw new RempartError('MALFORMED_REQUEST', `${where} is not valid JSON.`, { details: [{ field: '--data', message: 'is not valid JSON' }] });
  }
}

/** Flags of every record command: the store, and optionally the role to act as. */
type RecordFlags = StoreFlags & { as?: string; scope?: string };

/**
 * Runs `fn` through the gate as the local operator (`cli:<os user>`, full rights), or
 * limited to a role with `--as ROLE [--scope ORG]`; every access is audited.
 */
async function withGate<T>(flags: RecordFlags, command: string, fn: (gate: GateSession) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(flags, command);
  const policy = await loadPolicy(config.policyFile).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  if (flags.as !== undefined && !policy.roles.some((r) => r.id === flags.as)) {
    await store.close();
    throw new RempartError('VALIDATION_FAILED', `Unknown role "${flags.as}"; one of: ${policy.roles.map((r) => r.id).join(', ')}.`, {
      details: [{ field: '--as', message: 'is not a role of the policy' }],
    });
  }
  const access = createAccessRuntime({ db: store.db, policy, now: () => new Date(), chainer: false });
  try {
    return await fn(access.gate.for(cliActor(flags.as ?? null, flags.scope ?? null)));
  } finally {
    await access.close();
    await store.close();
  }
}

/** Adds --as and --scope to a record command. */
function withRole(cmd: Command): Command {
  return withStoreOptions(cmd)
    .option('--as <role>', 'act as this role of the policy instead of the operator (audited either way)')
    .option('--scope <organisationId>', 'with --as: the organisation the role is bound to (recovery body, subsidiary)');
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

/**
 * `rempart record create|get|list|update|delete TYPE …`: the client-relationship
 * records from the command line, through the same commands and validation as the API.
 */
export function registerRecordCommands(program: Command, setExit: (code: number) => void): void {
  const record = program.command('record').description(`client-relationship records (${TYPES})`);

  withRole(
    record.command('create').description('create a record from JSON').argument('<type>', TYPES).requiredOption('--data <json>', 'the record as JSON, @file.json, or - for stdin'),
  ).action(async (type: string, opts: RecordFlags & { data: string }) => {
    const spec = specOf(type);
    const input = validateInput(spec, 'create', readData(opts.data));
    print(await withGate(opts, 'rempart record create', (gate) => gate.create(spec, input)));
    setExit(0);
  });

  withRole(record.command('get').description('print one record').argument('<type>', TYPES).argument('<id>')).action(
    async (type: string, id: string, opts: RecordFlags) => {
      const spec = specOf(type);
      print(await withGate(opts, 'rempart record get', (gate) => gate.get(spec, id)));
      setExit(0);
    },
  );

  withRole(
    record
      .command('list')
      .description('print one page of records')
      .argument('<type>', TYPES)
      .option('--filter <param=value...>', 'filters, e.g. organisationId=… status=overdue')
      .option('--search <words>', 'words each found in a searchable field (people: names, e-mail)')
      .option('--limit <n>', 'page size', '50')
      .option('--cursor <cursor>', 'nextCursor of the previous page'),
  ).action(async (type: string, opts: RecordFlags & { filter?: string[]; search?: string; limit: string; cursor?: string }) => {
    const spec = specOf(type);
    const raw: Record<string, string> = { limit: opts.limit, ...(opts.cursor ? { cursor: opts.cursor } : {}), ...(opts.search ? { q: opts.search } : {}) };
    for (const f of opts.filter ?? []) {
      const [k, ...v] = f.split('=');
      raw[k ?? ''] = v.join('=');
    }
    const { limit, cursor, q, ...filters } = validateInput(spec, 'query', raw) as { limit?: number; cursor?: string; q?: string } & Record<string, unknown>;
    print(await withGate(opts, 'rempart record list', (gate) => gate.list(spec, { filters, limit, cursor, ...(q === undefined ? {} : { search: q }) })));
    setExit(0);
  });

  withRole(
    record.command('update').description('change fields of a record').argument('<type>', TYPES).argument('<id>').requiredOption('--data <json>', 'the fields to change as JSON'),
  ).action(async (type: string, id: string, opts: RecordFlags & { data: string }) => {
    const spec = specOf(type);
    const patch = validateInput(spec, 'patch', readData(opts.data));
    print(await withGate(opts, 'rempart record update', (gate) => gate.update(spec, id, patch)));
    setExit(0);
  });

  withRole(record.command('delete').description('delete a record').argument('<type>', TYPES).argument('<id>')).action(
    async (type: string, id: string, opts: RecordFlags) => {
      const spec = specOf(type);
      await withGate(opts, 'rempart record delete', (gate) => gate.delete(spec, id));
      console.log(`deleted ${spec.noun} ${id}`);
      setExit(0);
    },
  );
}
