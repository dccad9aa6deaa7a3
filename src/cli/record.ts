import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createRecord, deleteRecord, getRecord, listRecords, updateRecord, type CrmContext } from '../crm/commands.js';
import { RESOURCES, resource } from '../crm/resources.js';
import { validateInput } from '../crm/schemas.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './main.js';
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

async function withContext<T>(flags: StoreFlags, command: string, fn: (ctx: CrmContext) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(flags, command);
  try {
    const policy = await loadPolicy(config.policyFile);
    return await fn({ db: store.db, policy, now: () => new Date() });
  } finally {
    await store.close();
  }
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

/**
 * `rempart record create|get|list|update|delete TYPE …`: the client-relationship
 * records from the command line, through the same commands and validation as the API.
 */
export function registerRecordCommands(program: Command, setExit: (code: number) => void): void {
  const record = program.command('record').description(`client-relationship records (${TYPES})`);

  withStoreOptions(
    record.command('create').description('create a record from JSON').argument('<type>', TYPES).requiredOption('--data <json>', 'the record as JSON, @file.json, or - for stdin'),
  ).action(async (type: string, opts: StoreFlags & { data: string }) => {
    const spec = specOf(type);
    const input = validateInput(spec, 'create', readData(opts.data));
    print(await withContext(opts, `rempart record create`, (ctx) => createRecord(ctx, spec, input)));
    setExit(0);
  });

  withStoreOptions(record.command('get').description('print one record').argument('<type>', TYPES).argument('<id>')).action(
    async (type: string, id: string, opts: StoreFlags) => {
      const spec = specOf(type);
      print(await withContext(opts, 'rempart record get', (ctx) => getRecord(ctx, spec, id)));
      setExit(0);
    },
  );

  withStoreOptions(
    record
      .command('list')
      .description('print one page of records')
      .argument('<type>', TYPES)
      .option('--filter <param=value...>', 'filters, e.g. organisationId=… status=overdue')
      .option('--limit <n>', 'page size', '50')
      .option('--cursor <cursor>', 'nextCursor of the previous page'),
  ).action(async (type: string, opts: StoreFlags & { filter?: string[]; limit: string; cursor?: string }) => {
    const spec = specOf(type);
    const raw: Record<string, string> = { limit: opts.limit, ...(opts.cursor ? { cursor: opts.cursor } : {}) };
    for (const f of opts.filter ?? []) {
      const [k, ...v] = f.split('=');
      raw[k ?? ''] = v.join('=');
    }
    const { limit, cursor, ...filters } = validateInput(spec, 'query', raw) as { limit?: number; cursor?: string } & Record<string, unknown>;
    print(await withContext(opts, 'rempart record list', (ctx) => listRecords(ctx, spec, { filters, limit, cursor })));
    setExit(0);
  });

  withStoreOptions(
    record.command('update').description('change fields of a record').argument('<type>', TYPES).argument('<id>').requiredOption('--data <json>', 'the fields to change as JSON'),
  ).action(async (type: string, id: string, opts: StoreFlags & { data: string }) => {
    const spec = specOf(type);
    const patch = validateInput(spec, 'patch', readData(opts.data));
    print(await withContext(opts, 'rempart record update', (ctx) => updateRecord(ctx, spec, id, patch)));
    setExit(0);
  });

  withStoreOptions(record.command('delete').description('delete a record').argument('<type>', TYPES).argument('<id>')).action(
    async (type: string, id: string, opts: StoreFlags) => {
      const spec = specOf(type);
      await withContext(opts, 'rempart record delete', (ctx) => deleteRecord(ctx, spec, id));
      console.log(`deleted ${spec.noun} ${id}`);
      setExit(0);
    },
  );
}
