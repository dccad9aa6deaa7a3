import { join } from 'node:path';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { AuditWriter, auditSink, chainPending } from '../access/audit/index.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import type { Config } from '../config.js';
import type { Store } from '../db/database.js';
import { RempartError } from '../errors.js';
import { createMailer } from '../mail/index.js';
import { loadPolicy } from '../policy/index.js';
import { erasePerson, isClean, scanForPerson } from '../rights/erasure/index.js';
import { findPeopleByEmail } from '../rights/export/index.js';
import { decideObjection, objectToOtherProcessing, objectToProspecting } from '../rights/opposition/index.js';
import { rectify } from '../rights/rectification/index.js';
import { personContact, restrict, unrestrict } from '../rights/restriction/index.js';
import { createAccessRuntime } from '../access/runtime.js';
import { validateInput } from '../crm/schemas.js';
import { resource } from '../crm/resources.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type Flags = StoreFlags & { email: string };

async function withPeople(opts: Flags, command: string, body: (ctx: { config: Config; store: Store; ids: readonly string[] }) => Promise<number>): Promise<number> {
  const { config, store } = await openConfiguredStore(opts, command);
  try {
    const ids = await findPeopleByEmail(store.db, opts.email);
    return await body({ config, store, ids });
  } finally {
    await store.close();
  }
}

function requireSome(ids: readonly string[]): void {
  if (ids.length === 0) throw new RempartError('NOT_FOUND', 'No person holds this email.', { details: [{ field: '--email', message: 'no match' }] });
}

/**
 * `rempart subject erase|restrict|unrestrict|object|scan --email E`: the rights of the
 * people concerned on the command line (GDPR Art. 17, 18, 21; P5.3, P5.4, P5.6). Each
 * command calls the same commands the API does; output names tables, never values.
 */
export function registerSubjectCommands(subject: Command, setExit: (code: number) => void): void {
  withStoreOptions(
    subject
      .command('rectify')
      .description("correct the person's data through the gate; old values go to their own change history only (P5.2)")
      .requiredOption('--email <email>', "the person's email")
      .requiredOption('--data <json>', 'the corrected fields as JSON, e.g. {"lastName":"Dupont"}'),
  ).action(async (opts: Flags & { data: string }) =>
    setExit(
      await withPeople(opts, 'rempart subject rectify', async ({ config, store, ids }) => {
        requireSome(ids);
        let patch: unknown;
        try {
          patch = JSON.parse(opts.data);
        } catch {
          throw new RempartError('MALFORMED_REQUEST', '--data is not valid JSON.', { details: [{ field: '--data', message: 'is not valid JSON' }] });
        }
        const fields = validateInput(resource('people'), 'patch', patch);
        const policy = await loadPolicy(config.policyFile);
        const access = createAccessRuntime({ db: store.db, policy, now: () => new Date(), chainer: false });
        try {
          const key = loadOrCreateServerKey(config.dataDir);
          for (const id of ids) await rectify(access.gate.for(cliActor()), store.db, id, fields, { key });
          console.log(`rectified ${ids.length} person record(s): ${Object.keys(fields).join(', ')}`);
          return 0;
        } finally {
          await access.close();
        }
      }),
    ),
  );

  withStoreOptions(
    subject
      .command('erase')
      .description('erase every trace of the person not under a legal hold, archive what is held, and report (P5.3)')
      .requiredOption('--email <email>', "the person's email")
      .requiredOption('--reason <text>', 'why (the request, its reference)'),
  ).action(async (opts: Flags & { reason: string }) =>
    setExit(
      await withPeople(opts, 'rempart subject erase', async ({ config, store, ids }) => {
        requireSome(ids);
        const policy = await loadPolicy(config.policyFile);
        const writer = new AuditWriter(store.db);
        try {
          const report = await erasePerson(store.db, policy, ids, {
            reason: opts.reason,
            now: new Date(),
            key: loadOrCreateServerKey(config.dataDir),
            audit: auditSink(writer),
            actor: cliActor(),
            dataDir: config.dataDir,
          });
          await chainPending(store.db);
          console.log(`erased ${ids.length} person record(s)`);
          for (const [table, n] of Object.entries(report.deleted)) console.log(`  deleted   ${table}: ${n}`);
          for (const [table, n] of Object.entries(report.unlinked)) console.log(`  unlinked  ${table}: ${n} (kept as the organisation's record, link to the person removed)`);
          for (const k of report.kept) console.log(`  kept      ${k.table}: ${k.count}, ${k.basis}, until ${k.until ?? 'the hold is lifted'}`);
          if (report.filesDeleted > 0) console.log(`  deleted   ${report.filesDeleted} file(s) from the file stores`);
          if (report.oppositionKept) console.log('  kept      the opposition-list entry (keyed hash only), so the objection to prospecting is honoured');
          if (report.recipientsNotified > 0) console.log(`  queued    ${report.recipientsNotified} notice(s) to recipients (GDPR Art. 19)`);
          return 0;
        } finally {
          await writer.close();
        }
      }),
    ),
  );

  withStoreOptions(
    subject
      .command('restrict')
      .description('restrict the processing of the person’s data: stored, used for nothing else (P5.4)')
      .requiredOption('--email <email>', "the person's email")
      .option('--reason <text>', 'the ground of Art. 18(1)', 'requested by the person (GDPR Art. 18)'),
  ).action(async (opts: Flags & { reason: string }) =>
    setExit(
      await withPeople(opts, 'rempart subject restrict', async ({ config, store, ids }) => {
        requireSome(ids);
        const key = loadOrCreateServerKey(config.dataDir);
        const now = new Date();
        let queued = 0;
        for (const id of ids) queued += (await restrict(store.db, id, opts.reason, { now, key })).recipientsNotified;
        console.log(`restricted ${ids.length} person record(s)`);
        if (queued > 0) console.log(`  queued    ${queued} notice(s) to recipients (GDPR Art. 19)`);
        return 0;
      }),
    ),
  );

  withStoreOptions(
    subject
      .command('unrestrict')
      .description('lift a restriction, after sending the person a notice (Art. 18(3))')
      .requiredOption('--email <email>', "the person's email"),
  ).action(async (opts: Flags) =>
    setExit(
      await withPeople(opts, 'rempart subject unrestrict', async ({ config, store, ids }) => {
        requireSome(ids);
        const mailer = createMailer({ smtpUrl: process.env.SMTP_URL, outboxDir: join(config.dataDir, 'outbox') });
        const key = loadOrCreateServerKey(config.dataDir);
        try {
          for (const id of ids) {
            await unrestrict(store.db, id, {
              key,
              notify: async (notice) => {
                if (notice.email === null) throw new RempartError('CONFLICT', 'The person has no email to send the notice to; tell them another way first.');
                await mailer.send({
                  to: notice.email,
                  subject: 'Levée de la limitation du traitement de vos données / Restriction of processing lifted',
                  text:
                    'Bonjour,\n\nConformément à l’article 18(3) du RGPD, nous vous informons que la limitation du traitement de vos données va être levée.\n\n' +
                    'Hello,\n\nUnder GDPR Art. 18(3), we inform you that the restriction of the processing of your data is about to be lifted.\n',
                  headers: { 'Content-Language': 'fr, en' },
                });
              },
            });
          }
        } finally {
          mailer.close();
        }
        console.log(`restriction lifted on ${ids.length} person record(s), after the notice was sent`);
        return 0;
      }),
    ),
  );

  withStoreOptions(
    subject
      .command('object')
      .description('record an objection: to prospecting (opposition list, immediate) or to other processing (stopped pending a decision) (P5.6)')
      .requiredOption('--email <email>', "the person's email")
      .option('--prospecting', 'object to prospecting (the default)')
      .option('--other', 'object to other processing based on legitimate interest')
      .option('--grounds <text>', 'the grounds the person gave (with --other)')
      .option('--decide <decision>', 'the dpo’s decision on an objection to other processing: upheld | overridden (with --grounds)'),
  ).action(async (opts: Flags & { prospecting?: boolean; other?: boolean; grounds?: string; decide?: string }) =>
    setExit(
      await withPeople(opts, 'rempart subject object', async ({ config, store, ids }) => {
        requireSome(ids);
        if (opts.decide !== undefined) {
          if (opts.decide !== 'upheld' && opts.decide !== 'overridden') throw new RempartError('VALIDATION_FAILED', '--decide must be upheld or overridden.', { details: [{ field: '--decide', message: 'upheld | overridden' }] });
          for (const id of ids) await decideObjection(store.db, id, { decision: opts.decide, grounds: opts.grounds ?? '' });
          console.log(`decision ${opts.decide} recorded on ${ids.length} person record(s)`);
          return 0;
        }
        if (opts.other) {
          for (const id of ids) await objectToOtherProcessing(store.db, id, opts.grounds ?? '');
          console.log(`objection recorded on ${ids.length} person record(s): processing stopped until the dpo decides`);
          return 0;
        }
        const key = loadOrCreateServerKey(config.dataDir);
        for (const id of ids) await objectToProspecting(store.db, key, id);
        console.log(`objection to prospecting recorded: ${ids.length} person record(s) on the opposition list`);
        return 0;
      }),
    ),
  );

  withStoreOptions(
    subject
      .command('scan')
      .description('search every catalogued column and file store for the person; exit 0 only when nothing is left outside legal holds (P5.3)')
      .requiredOption('--email <email>', "the person's email"),
  ).action(async (opts: Flags) =>
    setExit(
      await withPeople(opts, 'rempart subject scan', async ({ config, store, ids }) => {
        // The identifiers, not names: a surname is shared by others and would never scan clean.
        const values = new Set([opts.email.trim()]);
        for (const id of ids) {
          const { email, phones } = await personContact(store.db, id);
          if (email) values.add(email);
          for (const p of phones) values.add(p);
        }
        const result = await scanForPerson(store.db, { dataDir: config.dataDir, values: [...values] });
        for (const hit of result.found) console.log(`${hit.held ? 'held ' : 'FOUND'} ${hit.where}: ${hit.count}`);
        const clean = isClean(result);
        console.log(clean ? 'clean: nothing left outside legal holds' : 'not clean: values found outside legal holds');
        return clean ? 0 : 1;
      }),
    ),
  );
}
