import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { AuditWriter } from '../access/audit/index.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import {
  buildAccessExport,
  buildPortabilityExport,
  findPeopleByEmail,
  isAccessFormat,
  isLanguage,
  writeAccessZip,
  writePortabilityZip,
} from '../rights/export/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** Flags of `rempart subject export`. */
type ExportFlags = StoreFlags & { email: string; out: string; format: string; lang: string; portability?: boolean };

/**
 * `rempart subject export --email E --out FILE.zip [--format json|html|pdf] [--lang fr|en]
 * [--portability]`: writes the person's access copy (GDPR Art. 15: JSON + HTML, and PDF
 * when asked) or portability archive (Art. 20: JSON + CSV) as a ZIP, audited as an
 * export by the local operator.
 */
export function registerSubjectExportCommand(subject: Command, setExit: (code: number) => void): void {
  withStoreOptions(
    subject
      .command('export')
      .description('write everything held on a person, with the GDPR Art. 15 information, to a ZIP (JSON + HTML, PDF on request); --portability: the Art. 20 archive instead')
      .requiredOption('--email <email>', 'the email of the person (matched case-insensitively; covers every record with it)')
      .requiredOption('--out <file>', 'the ZIP file to write')
      .addOption(new Option('--format <format>', 'readable copy to add beside the JSON and HTML: json, html or pdf').choices(['json', 'html', 'pdf']).default('html'))
      .addOption(new Option('--lang <lang>', "the person's language").choices(['fr', 'en']).default('fr'))
      .option('--portability', 'the portability archive (data the person provided, under contract or consent; JSON + CSV)'),
  ).action(async (opts: ExportFlags) => {
    if (!isAccessFormat(opts.format) || !isLanguage(opts.lang)) {
      throw new RempartError('VALIDATION_FAILED', 'Unknown --format or --lang.', { details: [{ field: '--format', message: 'json, html or pdf' }] });
    }
    const format = opts.format;
    const language = opts.lang;
    const { config, store } = await openConfiguredStore(opts, 'rempart subject export');
    try {
      const policy = await loadPolicy(config.policyFile);
      const personIds = await findPeopleByEmail(store.db, opts.email);
      if (personIds.length === 0) {
        // Shown to the operator on their own terminal only; never logged.
        console.error(`rempart: no person has the email ${opts.email.trim()}`);
        setExit(1);
        return;
      }
      const writer = new AuditWriter(store.db);
      const actor = cliActor();
      const audit = { actor: actor.id, role: actor.role, audit: (events: Parameters<AuditWriter['append']>[0]) => writer.append(events) };
      const now = new Date();
      let zip: Buffer;
      let rows: number;
      try {
        if (opts.portability) {
          const exp = await buildPortabilityExport(store.db, policy, personIds, { ...audit, now });
          zip = writePortabilityZip(exp);
          rows = Object.values(exp.data).reduce((n, r) => n + r.length, 0);
        } else {
          const exp = await buildAccessExport(store.db, policy, personIds, { ...audit, now, language });
          zip = await writeAccessZip(exp, { format });
          rows = Object.values(exp.data).reduce((n, r) => n + r.length, 0);
        }
      } finally {
        await writer.close();
      }
      // The archive is personal data: readable by its owner only.
      await writeFile(opts.out, zip, { mode: 0o600 });
      console.log(`wrote ${opts.out}: ${opts.portability ? 'portability' : 'access'} export of ${personIds.length} record(s), ${rows} row(s)`);
      setExit(0);
    } finally {
      await store.close();
    }
  });
}
